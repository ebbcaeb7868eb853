//! The pilot organisations' Chinese names and local zones (R381): what the genesis of test
//! networks, `ebl-node dev` and the testnet records for each of [`super::PILOT_ORGS`].

use crate::identity::{GenesisProfile, OrgProfile};
use crate::ids::OrgId;
use crate::local_time::LocalZone;

/// (organisation id, Chinese name) of each pilot organisation.
pub const PILOT_CHINESE_NAMES: &[(&str, &str)] = &[
    ("CARRIER", "远洋航运有限公司"),
    ("CARRIER2", "第二承运有限公司"),
    ("SHIPPER", "广州大豆出口有限公司"),
    ("BANK", "广东银行"),
    ("CONSIGNEE", "新加坡食品私人有限公司"),
    ("BUYER2", "柔佛贸易有限公司"),
    ("GDSW", "广东国际贸易单一窗口"),
    ("SGSW", "新加坡国际贸易单一窗口"),
    ("MSA", "中华人民共和国海事局"),
    ("MPA", "新加坡海事及港务管理局"),
    ("CLASS", "亚洲船级社"),
];

/// The local zone of the pilot's countries: China and Singapore (and Malaysia) keep UTC+8 all
/// year, without daylight saving time.
pub fn pilot_zone(country: &str) -> Option<LocalZone> {
    let name = match country {
        "CN" => "Asia/Shanghai",
        "SG" => "Asia/Singapore",
        "MY" => "Asia/Kuala_Lumpur",
        _ => return None,
    };
    Some(LocalZone::new(480, name))
}

/// The profile of organisation `id` named `name` (its English name) in `country`: its
/// Chinese name from [`PILOT_CHINESE_NAMES`] if it has one, and its country's zone; `None`
/// when neither is known (it keeps the default profile).
pub fn pilot_profile(id: &str, name: &str, country: &str) -> Option<OrgProfile> {
    let zh = PILOT_CHINESE_NAMES
        .iter()
        .find(|(o, _)| *o == id)
        .map(|(_, zh)| *zh);
    let zone = pilot_zone(country);
    if zh.is_none() && zone.is_none() {
        return None;
    }
    Some(OrgProfile::new(name, zh, zone.unwrap_or_default()))
}

/// The genesis profiles of `orgs` (id, English name, country), for those that have one.
pub fn genesis_profiles<'a>(
    orgs: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Vec<GenesisProfile> {
    orgs.into_iter()
        .filter_map(|(id, name, country)| {
            let profile = pilot_profile(id, name, country)?;
            Some(GenesisProfile {
                org: OrgId::new(id).ok()?,
                profile,
            })
        })
        .collect()
}
