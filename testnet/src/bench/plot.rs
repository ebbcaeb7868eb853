//! `--plot FILE`: an SVG of a sweep drawn with the `plotters` crate (SVG backend only): two
//! panels, committed rate and finality latency against offered load, with issue 6's targets
//! as dashed lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::report::{Report, targets};

const W: u32 = 460;
const H: u32 = 320;
const FOOTER: u32 = 24;

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

/// One line of a panel: points (drawn as dots), colour and legend label.
struct Series<'a> {
    points: Vec<(f64, f64)>,
    color: RGBColor,
    label: &'a str,
}

/// A dashed horizontal target line and its legend label.
struct Target<'a> {
    y: f64,
    label: &'a str,
}

struct Panel<'a> {
    title: &'a str,
    y_label: &'a str,
    x_max: f64,
    y_max: f64,
    series: Vec<Series<'a>>,
    target: Target<'a>,
}

const TARGET_RED: RGBColor = RGBColor(0xcc, 0, 0);

impl Panel<'_> {
    /// Draws the panel into `area`; values above the axis are drawn at its top.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let top = self.y_max * 1.05;
        let mut chart = ChartBuilder::on(area)
            .caption(
                self.title,
                ("sans-serif", 13).into_font().style(FontStyle::Bold),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..self.x_max, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("offered load (entries/s)")
            .y_desc(self.y_label)
            .light_line_style(WHITE)
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(err)?;
        for s in &self.series {
            let points: Vec<(f64, f64)> = s.points.iter().map(|&(x, y)| (x, y.min(top))).collect();
            let color = s.color;
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(err)?
                .label(s.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(err)?;
        }
        if self.target.y <= top {
            let line = [(0.0, self.target.y), (self.x_max, self.target.y)];
            chart
                .draw_series(DashedLineSeries::new(line, 6, 4, TARGET_RED.into()))
                .map_err(err)?
                .label(self.target.label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], TARGET_RED));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(err)
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
    let along = |f: fn(&Report) -> f64| -> Vec<(f64, f64)> {
        runs.iter().map(|r| (r.offered_per_sec, f(r))).collect()
    };
    let throughput = Panel {
        title: "Throughput",
        y_label: "committed entries/s",
        x_max,
        y_max: rate_max,
        series: vec![
            Series {
                points: vec![(0.0, 0.0), (x_max, x_max)],
                color: RGBColor(0xbb, 0xbb, 0xbb),
                label: "offered = committed",
            },
            Series {
                points: along(|r| r.committed_per_sec),
                color: RGBColor(0x1f, 0x77, 0xb4),
                label: "committed",
            },
        ],
        target: Target {
            y: targets::COMMITTED_PER_SEC,
            label: "target 5,000/s",
        },
    };
    let latency = Panel {
        title: "Finality latency",
        y_label: "ms",
        x_max,
        y_max: lat_max,
        series: vec![
            Series {
                points: along(|r| r.p50_ms),
                color: RGBColor(0x2c, 0xa0, 0x2c),
                label: "p50",
            },
            Series {
                points: along(|r| r.p99_ms),
                color: RGBColor(0xd6, 0x27, 0x28),
                label: "p99",
            },
        ],
        target: Target {
            y: targets::P99_MS,
            label: "p99 target 1 s",
        },
    };
    let mut out = String::new();
    let drawn = draw(&mut out, &throughput, &latency, caption);
    if let Err(e) = drawn {
        // Only a bug can make drawing into a string fail; say so in the picture itself.
        out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><text y="20">plot failed: {}</text></svg>"#,
            e.replace('&', "&amp;").replace('<', "&lt;")
        );
    }
    out.push('\n');
    out
}

fn draw(
    out: &mut String,
    left: &Panel<'_>,
    right: &Panel<'_>,
    caption: &str,
) -> Result<(), String> {
    let root = SVGBackend::with_string(out, (2 * W, H + FOOTER)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (panels, footer) = root.split_vertically(H);
    let (l, r) = panels.split_horizontally(W);
    left.draw(&l)?;
    right.draw(&r)?;
    let style = ("sans-serif", 11)
        .into_font()
        .color(&RGBColor(0x55, 0x55, 0x55));
    footer
        .draw(&Text::new(caption, (8, 4), style))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
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
        assert!(doc.contains("4 nodes &lt;release&gt;"), "{doc}");
        // The latency target is always in range; the rate target only once the load nears it.
        assert!(doc.contains("p99 target 1 s"));
        std::fs::write(std::env::temp_dir().join("ebl-bench-plot-test.svg"), &doc).unwrap();
    }
}
