package io.pgmemo.bench;

import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link MemoryTierBenchmark} with 1 and then 2 threads sharing each tier (JMH options pass
 * through, e.g. {@code -f 2}) and prints each workload's throughput per tier and Caffeine's over the
 * LRU's, measured in the same run: above 1 means Caffeine is faster.
 */
public final class TierRatios {
    private TierRatios() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions given = new CommandLineOptions(args);
        Map<String, Double> opsPerMicro = new TreeMap<>();
        for (int threads = 1; threads <= MemoryTierBenchmark.MAX_THREADS; threads++) {
            OptionsBuilder options = new OptionsBuilder();
            options.parent(given);
            options.include(MemoryTierBenchmark.class.getName()).threads(threads);
            for (RunResult result : new Runner(options.build()).run()) {
                String name = result.getParams().getBenchmark();
                String row = name.substring(name.lastIndexOf('.') + 1) + " " + threads;
                opsPerMicro.put(row + " " + result.getParams().getParam("tier"), result.getPrimaryResult().getScore());
            }
        }
        System.out.println();
        System.out.printf("%-20s %7s %14s %14s %16s%n", "workload", "threads", "lru ops/us", "caffeine ops/us",
                "caffeine / lru");
        opsPerMicro.keySet().stream().map(k -> k.substring(0, k.lastIndexOf(' '))).distinct().forEach(row -> {
            Double lru = opsPerMicro.get(row + " lru");
            Double caffeine = opsPerMicro.get(row + " caffeine");
            String[] parts = row.split(" ");
            System.out.printf("%-20s %7s %14.2f %14.2f %16s%n", parts[0], parts[1], lru, caffeine,
                    lru == null || caffeine == null ? "-" : String.format("%.2f", caffeine / lru));
        });
    }
}
