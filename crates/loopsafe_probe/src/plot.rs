//! The canary's latency over time as an SVG chart: one line per probe (before and after
//! on one chart), on a log scale so that a 2 s stall and a 3 ms answer both show.

use plotters::prelude::*;

use crate::ProbeResult;

const COLOURS: [RGBColor; 4] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];

/// An SVG chart of each named probe's canary latencies, in the order given.
pub fn canary_svg(runs: &[(&str, &ProbeResult)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        draw(&root, runs).map_err(|e| format!("cannot draw the chart: {e}"))?;
        root.present()
            .map_err(|e| format!("cannot draw the chart: {e}"))?;
    }
    Ok(svg)
}

type DrawResult =
    Result<(), DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>>;

fn draw(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    runs: &[(&str, &ProbeResult)],
) -> DrawResult {
    root.fill(&WHITE)?;
    let points = || runs.iter().flat_map(|(_, r)| r.canary_series.iter());
    let end = points().map(|p| p.0).fold(1.0, f64::max);
    let top = points().map(|p| p.1).fold(10.0, f64::max) * 1.5;
    let bottom = (points().map(|p| p.1).fold(f64::INFINITY, f64::min) / 2.0).clamp(0.1, 1.0);
    let idle_end = runs.first().map_or(0.0, |(_, r)| r.config.idle_s);
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Canary latency over time (idle, then under load)",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..end, (bottom..top).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("seconds since the probe started")
        .y_desc("canary latency (ms, log scale)")
        .y_label_formatter(&|v| {
            if *v >= 1.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    // Where the load starts: the canary ran alone before it.
    chart.draw_series(LineSeries::new(
        [(idle_end, bottom), (idle_end, top)],
        BLACK.mix(0.4).stroke_width(1),
    ))?;
    for (i, (name, result)) in runs.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(
                result
                    .canary_series
                    .iter()
                    .map(move |&(t, ms)| (t, ms.max(bottom))),
                colour.stroke_width(2),
            ))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}
