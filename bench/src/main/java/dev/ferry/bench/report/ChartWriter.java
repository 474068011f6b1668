package dev.ferry.bench.report;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Line charts of one metric against the loss case, one chart per RTT and one series per system, each point the
 * median over the rounds (XChart, PNG). Loss cases are categories ("0 %", "1 %", …, "burst"), evenly spaced. A
 * system not measured in a cell (or whose runs all failed) has a gap there.
 */
public final class ChartWriter {
    static final int WIDTH = 1100;
    static final int HEIGHT = 650;
    // 14 colours that stay apart on white; systems beyond them repeat with another marker.
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
        new Color(0x000000), new Color(0xaec7e8), new Color(0x98df8a), new Color(0xff9896),
    };
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS, SeriesMarkers.PLUS};

    private final Results results;

    public ChartWriter(Results results) {
        this.results = results;
    }

    /**
     * Writes {@code metric} against loss for {@code rttMs} to {@code png}. A positive {@code referenceOverRtt}
     * draws a dashed horizontal line at that multiple of the RTT (the target of a latency chart).
     *
     * @return whether a chart was written (false when no cell has that RTT)
     */
    public boolean write(int rttMs, Metric metric, String title, boolean logY, double referenceOverRtt, Path png)
            throws IOException {
        List<Cell> cells = results.cells().stream().filter(c -> c.rttMs() == rttMs).toList();
        if (cells.isEmpty()) {
            return false;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("loss per direction").yAxisTitle(metric.label()).build();
        CategoryStyler styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        styler.setOverlapped(true); // every series at the same x positions, not side by side as bars
        styler.setYAxisLogarithmicDecadeOnly(false);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setYAxisLogarithmic(logY);
        styler.setYAxisDecimalPattern(logY ? "#,##0" : "#,##0.#");
        styler.setAnnotationLineColor(Color.RED);
        if (!logY) {
            styler.setYAxisMin(0.0);
        }
        List<String> categories = cells.stream().map(Cell::lossLabel).toList();
        int i = 0;
        for (String system : results.systems()) {
            List<Double> medians = new ArrayList<>();
            boolean any = false;
            for (Cell c : cells) {
                Spread s = results.spread(c, system, metric);
                // XChart leaves a gap for null; log axes cannot show 0 or less.
                boolean drawable = !s.isEmpty() && (!logY || s.median() > 0);
                medians.add(drawable ? s.median() : null);
                any |= drawable;
            }
            if (!any) {
                continue;
            }
            CategorySeries series = chart.addSeries(system, categories, medians);
            series.setLineColor(COLORS[i % COLORS.length]);
            series.setMarkerColor(COLORS[i % COLORS.length]);
            series.setMarker(MARKERS[(i / COLORS.length + i) % MARKERS.length]);
            if (system.startsWith("ferry-kcp")) {
                series.setLineWidth(2.5f);
            } else {
                series.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[] {6f, 4f}, 0f));
            }
            i++;
        }
        if (i == 0) {
            return false;
        }
        if (referenceOverRtt > 0) {
            chart.addAnnotation(new AnnotationLine(referenceOverRtt * rttMs, false, false));
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            ChartEncoder.saveChart(chart, out, "png");
        }
        return true;
    }
}
