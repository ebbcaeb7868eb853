//! CPU time and resident memory of a node process, from `/proc/<pid>` (Linux).

use std::time::Duration;

/// CPU time a process has used so far, or `None` if it cannot be read (not Linux, gone).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    // `stat` counts clock ticks of USER_HZ, 100 on Linux for every architecture we run on
    // (`getconf CLK_TCK`). `schedstat` would count nanoseconds, but on this project's VM it
    // disagrees with `stat` by orders of magnitude, so it is not used.
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_ticks(&text).map(|ticks| Duration::from_millis(ticks.saturating_mul(10)))
}

/// Resident memory in bytes, or `None` if it cannot be read.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vmrss(&text)
}

/// `utime + stime` (fields 14 and 15) of `/proc/<pid>/stat`, in clock ticks. The command
/// name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
pub fn parse_stat_ticks(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name, field 3 (state) is index 0, so field 14 is index 11.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `VmRSS` of `/proc/<pid>/status`, in bytes.
pub fn parse_vmrss(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_ticks_are_counted_after_a_name_with_spaces_and_parentheses() {
        let line = "123 (ebl node (x)) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 8 0 100 0 0";
        assert_eq!(parse_stat_ticks(line), Some(300));
        assert_eq!(parse_stat_ticks("123 (short) S 1"), None);
    }

    #[test]
    fn vmrss_is_read_in_bytes() {
        let status = "Name:\tebl-node\nVmPeak:\t 900 kB\nVmRSS:\t  2048 kB\nThreads:\t9\n";
        assert_eq!(parse_vmrss(status), Some(2 * 1024 * 1024));
        assert_eq!(parse_vmrss("Name:\tx\n"), None);
    }

    #[test]
    fn this_process_can_be_measured() {
        let me = std::process::id();
        assert!(cpu_time(me).is_some());
        assert!(rss_bytes(me).is_some_and(|b| b > 0));
    }
}
