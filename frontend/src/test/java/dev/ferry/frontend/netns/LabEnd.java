package dev.ferry.frontend.netns;

import org.junit.jupiter.api.extension.ExtensionContext;

/** How a namespace test ends: its lab printed when it failed, its ferry processes stopped and checked for leaks. */
final class LabEnd {
    private LabEnd() {
    }

    /**
     * Prints the lab's commands and logs when the test failed (or always, with {@code -Dferry.test.printLabs=true}).
     * Call it from an {@code AfterTestExecutionCallback}: it runs before @AfterEach closes the lab.
     */
    static void report(String testClass, ExtensionContext context, NetnsLab lab, long seed) {
        boolean failed = context.getExecutionException().isPresent();
        if (lab != null && (failed || Boolean.getBoolean("ferry.test.printLabs"))) {
            System.err.println(testClass + "." + context.getDisplayName() + (failed ? " failed" : " passed")
                    + "; seed " + seed + " (-Dferry.test.seed=" + seed + ")\n" + lab.report());
        }
    }

    /**
     * Stops the ferry processes first (SIGTERM: they drain and exit, so their logs are complete when checked for
     * leaks), then closes the lab, also when a check fails.
     */
    static void close(NetnsLab lab, FerryProcess... processes) {
        try {
            for (FerryProcess p : processes) {
                if (p != null) {
                    p.process().stop();
                    p.assertNoLeakReported();
                }
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }
}
