//! What a token may limit itself to besides methods, scopes and time: a number of uses, a rate
//! of calls, and the addresses it may be used from.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    str::FromStr,
};

use serde::{Deserialize, Serialize};

/// The most uses a token may be given at once.
pub const MAX_USES: u64 = 1_000_000_000;
/// The most calls a rate limit may allow per period.
pub const MAX_RATE_CALLS: u32 = 1_000_000;
/// The most address ranges one token may list.
pub const MAX_ADDRESS_RANGES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("Uses must be a whole number from 1 to 1,000,000,000, or empty for no limit.")]
    Uses,
    #[error(
        "Write a rate limit as a number of calls per period: 600/min, 10/s, 5000/h or 100000/d \
         (at most 1,000,000 calls)."
    )]
    Rate,
    #[error("“{0}” is not an IPv4 or IPv6 address or a CIDR range such as 203.0.113.0/24.")]
    Address(String),
    #[error("“{given}” has bits set past its prefix: did you mean {meant}?")]
    HostBits { given: String, meant: String },
    #[error("List at most {MAX_ADDRESS_RANGES} addresses or ranges.")]
    TooManyAddresses,
}

/// A number of uses, 1 to [`MAX_USES`].
pub fn parse_uses(raw: &str) -> Result<Option<u64>, LimitError> {
    let raw = raw.trim().replace([',', '_', ' '], "");
    if raw.is_empty() || raw.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    match raw.parse::<u64>() {
        Ok(uses @ 1..=MAX_USES) => Ok(Some(uses)),
        _ => Err(LimitError::Uses),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatePeriod {
    Second,
    Minute,
    Hour,
    Day,
}

impl RatePeriod {
    pub fn as_secs(self) -> u64 {
        match self {
            Self::Second => 1,
            Self::Minute => 60,
            Self::Hour => 3_600,
            Self::Day => 86_400,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "min",
            Self::Hour => "h",
            Self::Day => "d",
        }
    }

    fn parse(unit: &str) -> Option<Self> {
        Some(match unit.to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => Self::Second,
            "m" | "min" | "minute" => Self::Minute,
            "h" | "hr" | "hour" => Self::Hour,
            "d" | "day" => Self::Day,
            _ => return None,
        })
    }
}

/// At most `calls` calls per `period`, as a burst or spread out: `600/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RateLimit {
    calls: u32,
    period: RatePeriod,
}

impl RateLimit {
    pub fn new(calls: u32, period: RatePeriod) -> Result<Self, LimitError> {
        if (1..=MAX_RATE_CALLS).contains(&calls) {
            Ok(Self { calls, period })
        } else {
            Err(LimitError::Rate)
        }
    }

    /// A limit as typed; empty or "none": no limit.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, LimitError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        raw.parse().map(Some)
    }

    pub fn calls(self) -> u32 {
        self.calls
    }

    pub fn period(self) -> RatePeriod {
        self.period
    }
}

impl FromStr for RateLimit {
    type Err = LimitError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (calls, unit) = raw.split_once('/').ok_or(LimitError::Rate)?;
        let calls = calls
            .trim()
            .replace([',', '_'], "")
            .parse()
            .map_err(|_| LimitError::Rate)?;
        let period = RatePeriod::parse(unit.trim()).ok_or(LimitError::Rate)?;
        Self::new(calls, period)
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.calls, self.period.unit())
    }
}

impl TryFrom<String> for RateLimit {
    type Error = LimitError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<RateLimit> for String {
    fn from(value: RateLimit) -> Self {
        value.to_string()
    }
}

/// An address or a CIDR range of them. IPv4-mapped IPv6 addresses are IPv4 addresses here, so
/// `192.0.2.0/24` matches a client seen as `::ffff:192.0.2.7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(address) & mask == u32::from(network)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(address) & mask == u128::from(network)
            }
            _ => false,
        }
    }

    /// Entries as typed, each holding one or more ranges separated by commas or spaces;
    /// duplicates are dropped.
    pub fn parse_entries<S: AsRef<str>>(entries: &[S]) -> Result<Vec<Self>, LimitError> {
        let mut ranges: Vec<Self> = Vec::new();
        for word in entries
            .iter()
            .flat_map(|entry| entry.as_ref().split([',', ' ', '\n', '\t', '\r']))
            .filter(|word| !word.is_empty())
        {
            let range: Self = word.parse()?;
            if !ranges.contains(&range) {
                ranges.push(range);
            }
        }
        if ranges.len() > MAX_ADDRESS_RANGES {
            return Err(LimitError::TooManyAddresses);
        }
        Ok(ranges)
    }
}

/// Whether `address` may use a token with these ranges (none: any address; a client whose
/// address is not known: none).
pub fn addresses_allow(ranges: &[AddressRange], address: Option<&str>) -> bool {
    if ranges.is_empty() {
        return true;
    }
    address
        .and_then(|address| address.parse::<IpAddr>().ok())
        .is_some_and(|address| ranges.iter().any(|range| range.contains(address)))
}

impl FromStr for AddressRange {
    type Err = LimitError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let invalid = || LimitError::Address(raw.to_owned());
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let address = address
            .parse::<IpAddr>()
            .map_err(|_| invalid())?
            .to_canonical();
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(invalid)?,
        };
        let network = masked(address, prefix);
        if network != address {
            return Err(LimitError::HostBits {
                given: raw.to_owned(),
                meant: Self { network, prefix }.to_string(),
            });
        }
        Ok(Self { network, prefix })
    }
}

fn masked(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// A single address prints without its prefix.
impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let single = match self.network {
            IpAddr::V4(_) => self.prefix == 32,
            IpAddr::V6(_) => self.prefix == 128,
        };
        if single {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl TryFrom<String> for AddressRange {
    type Error = LimitError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<AddressRange> for String {
    fn from(value: AddressRange) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn uses_are_whole_numbers_within_bounds() {
        assert_eq!(parse_uses(""), Ok(None));
        assert_eq!(parse_uses("unlimited"), Ok(None));
        assert_eq!(parse_uses("1"), Ok(Some(1)));
        assert_eq!(parse_uses("1,000,000,000"), Ok(Some(MAX_USES)));
        for bad in ["0", "-1", "1000000001", "1.5", "ten"] {
            assert_eq!(parse_uses(bad), Err(LimitError::Uses), "{bad}");
        }
    }

    #[test]
    fn rate_limits_read_common_units_and_print_one_way() {
        for (typed, printed) in [
            ("600/min", "600/min"),
            ("10/s", "10/s"),
            ("5000/h", "5000/h"),
            ("5,000 / hour", "5000/h"),
            ("100/day", "100/d"),
            ("1/M", "1/min"),
        ] {
            assert_eq!(typed.parse::<RateLimit>().unwrap().to_string(), printed);
        }
        for bad in ["600", "0/s", "10/week", "1000001/s", "/min", "ten/s"] {
            assert_eq!(bad.parse::<RateLimit>(), Err(LimitError::Rate), "{bad}");
        }
        assert_eq!(RateLimit::parse_optional(" none "), Ok(None));
    }

    #[test]
    fn ranges_match_their_addresses_only() {
        let range: AddressRange = "203.0.113.0/24".parse().unwrap();
        assert!(range.contains(ip("203.0.113.255")));
        assert!(range.contains(ip("::ffff:203.0.113.7")));
        assert!(!range.contains(ip("203.0.114.0")));
        let v6: AddressRange = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("203.0.113.7")));
        let everyone: AddressRange = "0.0.0.0/0".parse().unwrap();
        assert!(everyone.contains(ip("198.51.100.1")));
        let single: AddressRange = "198.51.100.7".parse().unwrap();
        assert_eq!(single.to_string(), "198.51.100.7");
        assert!(!single.contains(ip("198.51.100.8")));
    }

    #[test]
    fn ranges_refuse_what_is_not_one() {
        assert_eq!(
            "10.0.0.1/8".parse::<AddressRange>(),
            Err(LimitError::HostBits {
                given: "10.0.0.1/8".into(),
                meant: "10.0.0.0/8".into()
            })
        );
        for bad in [
            "10.0.0.0/33",
            "10.0.0",
            "example.org",
            "::1/129",
            "10.0.0.0/",
        ] {
            assert!(bad.parse::<AddressRange>().is_err(), "{bad}");
        }
        let many: Vec<String> = (0..=MAX_ADDRESS_RANGES)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        assert_eq!(
            AddressRange::parse_entries(&many),
            Err(LimitError::TooManyAddresses)
        );
    }

    #[test]
    fn an_empty_list_allows_anyone_and_an_unknown_address_nothing() {
        assert!(addresses_allow(&[], None));
        let ranges = AddressRange::parse_entries(&["10.0.0.0/8, 192.0.2.1"]).unwrap();
        assert_eq!(ranges.len(), 2);
        assert!(addresses_allow(&ranges, Some("10.1.2.3")));
        assert!(addresses_allow(&ranges, Some("192.0.2.1")));
        assert!(!addresses_allow(&ranges, Some("192.0.2.2")));
        assert!(!addresses_allow(&ranges, None));
        assert!(!addresses_allow(&ranges, Some("not an address")));
    }

    proptest! {
        #[test]
        fn a_printed_range_parses_back_to_itself(bits: u128, prefix in 0u8..=128, v4: bool) {
            let address = if v4 {
                IpAddr::V4(Ipv4Addr::from(bits as u32))
            } else {
                IpAddr::V6(Ipv6Addr::from(bits))
            };
            let prefix = if address.to_canonical().is_ipv4() { prefix % 33 } else { prefix };
            let range = AddressRange { network: masked(address.to_canonical(), prefix), prefix };
            prop_assert_eq!(range.to_string().parse::<AddressRange>(), Ok(range));
            prop_assert!(range.contains(range.network));
        }

        #[test]
        fn a_printed_rate_parses_back_to_itself(calls in 1u32..=MAX_RATE_CALLS, unit in 0usize..4) {
            let period = [RatePeriod::Second, RatePeriod::Minute, RatePeriod::Hour, RatePeriod::Day][unit];
            let limit = RateLimit::new(calls, period).unwrap();
            prop_assert_eq!(limit.to_string().parse::<RateLimit>(), Ok(limit));
        }
    }
}
