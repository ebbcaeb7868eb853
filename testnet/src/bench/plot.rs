//! `--plot FILE`: an SVG of a sweep, drawn by hand (two panels: committed rate and finality
//! latency against offered load, with issue 6's targets as dashed lines).

use std::fmt::Write as _;

use super::report::{Report, targets};

const W: f64 = 460.0;
const H: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;

/// A "nice" axis maximum at or above `v` (1, 2 or 5 times a power of ten).
pub fn nice_max(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let pow = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * pow >= v {
            return m * pow;
        }
    }
    10.0 * pow
}

struct Panel {
    x0: f64,
    x_max: f64,
    y_max: f64,
}

impl Panel {
    fn x(&self, v: f64) -> f64 {
        self.x0 + LEFT + (v / self.x_max) * (W - LEFT - RIGHT)
    }
    fn y(&self, v: f64) -> f64 {
        TOP + (1.0 - (v / self.y_max).min(1.05)) * (H - TOP - BOTTOM)
    }

    fn frame(&self, svg: &mut String, title: &str, y_label: &str) {
        let (l, r, t, b) = (
            self.x(0.0),
            self.x(self.x_max),
            self.y(self.y_max),
            self.y(0.0),
        );
        let _ = write!(
            svg,
            r##"<rect x="{l:.1}" y="{t:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#444"/>"##,
            r - l,
            b - t
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="22" text-anchor="middle" font-weight="bold">{title}</text>"##,
            (l + r) / 2.0
        );
        for i in 0..=4 {
            let fx = self.x_max * f64::from(i) / 4.0;
            let fy = self.y_max * f64::from(i) / 4.0;
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{fx:.0}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{fy:.0}</text><line x1="{l:.1}" x2="{r:.1}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/>"##,
                self.x(fx),
                b + 16.0,
                l - 6.0,
                self.y(fy) + 4.0,
                self.y(fy),
                self.y(fy)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">offered load (entries/s)</text><text x="{:.1}" y="{:.1}" text-anchor="middle" transform="rotate(-90 {:.1} {:.1})">{y_label}</text>"##,
            (l + r) / 2.0,
            H - 10.0,
            self.x0 + 16.0,
            (t + b) / 2.0,
            self.x0 + 16.0,
            (t + b) / 2.0
        );
    }

    fn line(&self, svg: &mut String, points: &[(f64, f64)], color: &str, label: &str, row: usize) {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", self.x(*x), self.y(*y)))
            .collect();
        let _ = write!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"##,
            path.join(" ")
        );
        for (x, y) in points {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"##,
                self.x(*x),
                self.y(*y)
            );
        }
        let ly = TOP + 14.0 + 16.0 * row as f64;
        let lx = self.x(0.0) + 8.0;
        let _ = write!(
            svg,
            r##"<line x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{label}</text>"##,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0
        );
    }

    fn target(&self, svg: &mut String, y: f64, label: &str) {
        if y > self.y_max * 1.05 {
            return;
        }
        let _ = write!(
            svg,
            r##"<line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#c00" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#c00">{label}</text>"##,
            self.x(0.0),
            self.x(self.x_max),
            self.y(y),
            self.y(y),
            self.x(self.x_max) - 4.0,
            self.y(y) - 4.0
        );
    }
}

/// The SVG document for a sweep (`runs` in increasing offered load); `caption` says what ran.
pub fn svg(runs: &[Report], caption: &str) -> String {
    let x_max = nice_max(runs.iter().map(|r| r.offered_per_sec).fold(0.0, f64::max));
    let rate_max = nice_max(
        runs.iter()
            .map(|r| r.committed_per_sec.max(r.offered_per_sec))
            .fold(0.0, f64::max),
    );
    let lat_max = nice_max(
        runs.iter()
            .map(|r| r.p99_ms)
            .fold(targets::P99_MS, f64::max),
    );
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>"##,
        2.0 * W,
        H + 24.0
    );
    let left = Panel {
        x0: 0.0,
        x_max,
        y_max: rate_max,
    };
    left.frame(&mut svg, "Throughput", "committed entries/s");
    left.line(
        &mut svg,
        &[(0.0, 0.0), (x_max, x_max)],
        "#bbb",
        "offered = committed",
        0,
    );
    let committed: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (r.offered_per_sec, r.committed_per_sec))
        .collect();
    left.line(&mut svg, &committed, "#1f77b4", "committed", 1);
    left.target(&mut svg, targets::COMMITTED_PER_SEC, "target 5,000/s");
    let right = Panel {
        x0: W,
        x_max,
        y_max: lat_max,
    };
    right.frame(&mut svg, "Finality latency", "ms");
    let p50: Vec<(f64, f64)> = runs.iter().map(|r| (r.offered_per_sec, r.p50_ms)).collect();
    let p99: Vec<(f64, f64)> = runs.iter().map(|r| (r.offered_per_sec, r.p99_ms)).collect();
    right.line(&mut svg, &p50, "#2ca02c", "p50", 0);
    right.line(&mut svg, &p99, "#d62728", "p99", 1);
    right.target(&mut svg, targets::P99_MS, "p99 target 1 s");
    let _ = write!(
        svg,
        r##"<text x="8" y="{:.0}" fill="#555">{}</text></svg>"##,
        H + 16.0,
        escape(caption)
    );
    svg.push('\n');
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round_numbers_at_or_above_the_data() {
        assert_eq!(nice_max(4_300.0), 5_000.0);
        assert_eq!(nice_max(1_000.0), 1_000.0);
        assert_eq!(nice_max(1_001.0), 2_000.0);
        assert_eq!(nice_max(0.0), 1.0);
    }

    #[test]
    fn the_svg_has_both_panels_a_point_per_run_and_an_escaped_caption() {
        let mut a = crate::bench::report::sample();
        let mut b = a.clone();
        a.offered_per_sec = 500.0;
        b.offered_per_sec = 1_000.0;
        let doc = svg(&[a, b], "4 nodes <release>");
        assert!(doc.starts_with("<svg") && doc.trim_end().ends_with("</svg>"));
        assert!(doc.contains("Throughput") && doc.contains("Finality latency"));
        // Two runs on three series (committed, p50, p99), plus the diagonal's two ends.
        assert_eq!(doc.matches("<circle").count(), 2 * 3 + 2);
        assert!(doc.contains("4 nodes &lt;release&gt;"));
    }
}
