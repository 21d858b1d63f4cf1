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
 * each one's time per query next to its ratio to {@code queryText}, the baseline measured in the
 * same run.
 */
public final class Ratios {
    private static final String BASELINE = "queryText";

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
        Map<String, Double> nanos = new TreeMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            nanos.put(name.substring(name.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        Double baseline = nanos.get(BASELINE);
        System.out.println();
        System.out.printf("%-12s %12s %14s%n", "benchmark", "ns/query", "vs " + BASELINE);
        nanos.forEach((name, ns) -> System.out.printf("%-12s %12.1f %14s%n", name, ns,
                baseline == null ? "-" : String.format("%.2f", ns / baseline)));
    }
}
