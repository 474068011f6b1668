package dev.ferry.backend.cli;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Keeps a started service in the foreground until the process is told to stop (SIGTERM, SIGINT/Ctrl-C), then
 * drains it. The drain runs in a shutdown hook, so the JVM does not exit before it has finished; the calling
 * thread returns once the drain is done.
 */
public final class Foreground {
    private Foreground() {
    }

    /**
     * Registers {@code drain} as a shutdown hook through {@code shutdownHooks} and blocks until it has run.
     *
     * @return {@link Cli#OK}
     */
    public static int runUntilStopped(Consumer<Thread> shutdownHooks, Runnable drain) throws InterruptedException {
        CountDownLatch drained = new CountDownLatch(1);
        shutdownHooks.accept(new Thread(() -> {
            try {
                drain.run();
            } finally {
                drained.countDown();
            }
        }, "ferry-drain"));
        drained.await();
        return Cli.OK;
    }
}
