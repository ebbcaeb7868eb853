//! The OpenAPI document: `specs/openapi.yaml`, compiled in and converted to JSON once.

use std::sync::OnceLock;

use serde_json::Value;

/// The YAML source.
pub const YAML: &str = include_str!("../../specs/openapi.yaml");

/// The document as JSON, parsed on first use.
pub fn document() -> Result<&'static Value, String> {
    static DOC: OnceLock<Result<Value, String>> = OnceLock::new();
    DOC.get_or_init(|| serde_yaml::from_str::<Value>(YAML).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Every (method, path) the document describes.
pub fn operations() -> Result<Vec<(String, String)>, String> {
    let doc = document()?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("openapi.yaml has no paths")?;
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    Ok(out)
}
