/**
 * Reports of the scenario runner ({@code bench/scenarios.sh}): {@link dev.ferry.bench.report.Csv} reads its
 * {@code results.csv}, {@link dev.ferry.bench.report.Results} groups the rows by cell and system and takes medians
 * ({@link dev.ferry.bench.report.Spread}) and per-round ratios, {@link dev.ferry.bench.report.SummaryWriter} writes
 * the markdown tables and the check of issue 6's {@link dev.ferry.bench.report.Target}s, and
 * {@link dev.ferry.bench.report.ChartWriter} draws the PNG charts with XChart. {@code ChartsMain} and
 * {@code SummaryMain} are the command-line entries the runner calls.
 */
package dev.ferry.bench.report;
