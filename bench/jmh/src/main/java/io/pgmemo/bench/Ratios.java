package io.pgmemo.bench;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks (JMH command-line options pass through, e.g. {@code -f 2 -wi 5}) and prints
 * each one's time next to its ratio to its class's baseline measured in the same run:
 * {@code queryText} per query for {@link ReadPathBenchmark}, {@code relay} per exchange for
 * {@link SessionPathBenchmark}, {@code relay} per transaction for {@link WritePathBenchmark}.
 */
public final class Ratios {
    /** A class's baseline benchmark, and what one operation of the class is. */
    private record Baseline(String benchmark, String unit) {
    }

    private static final Map<String, Baseline> BASELINES = Map.of(
            ReadPathBenchmark.class.getSimpleName(), new Baseline("queryText", "ns/query"),
            SessionPathBenchmark.class.getSimpleName(), new Baseline("relay", "ns/exchange"),
            WritePathBenchmark.class.getSimpleName(), new Baseline("relay", "ns/transaction"));
    private static final Baseline NONE = new Baseline("-", "ns/op");

    private Ratios() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions given = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(given);
        if (given.getIncludes().isEmpty()) {
            options.include(ReadPathBenchmark.class.getName());
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        // Class, then benchmark: nanoseconds per operation.
        Map<String, Map<String, Double>> nanos = new TreeMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            String benchmarkClass = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1,
                    name.lastIndexOf('.'));
            nanos.computeIfAbsent(benchmarkClass, c -> new TreeMap<>())
                    .put(name.substring(name.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        nanos.forEach(Ratios::print);
    }

    private static void print(String benchmarkClass, Map<String, Double> nanos) {
        Baseline baseline = BASELINES.getOrDefault(benchmarkClass, NONE);
        Double baselineNanos = nanos.get(baseline.benchmark());
        System.out.println();
        System.out.println(benchmarkClass);
        System.out.printf("%-12s %12s %14s%n", "benchmark", baseline.unit(), "vs " + baseline.benchmark());
        nanos.forEach((name, ns) -> System.out.printf("%-12s %12.1f %14s%n", name, ns,
                baselineNanos == null ? "-" : String.format("%.2f", ns / baselineNanos)));
    }
}
