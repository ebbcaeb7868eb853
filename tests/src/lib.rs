//! Multi-node in-process tests, scenario DSL and fault injection (grows with issue 3; not built yet).
