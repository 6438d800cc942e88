// SPDX-License-Identifier: Apache-2.0
package org.postern.server;

import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.postern.server.cli.CliContext;
import org.postern.server.cli.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the mail server. The first start on a fresh data folder sets everything up.")
final class ServeCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(names = "--port-offset", paramLabel = "N",
            description = "add N to every port (default: 0 as root, else 10000; postern.conf can set it)")
    Integer portOffset;

    ServeCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (portOffset != null && (portOffset < 0 || portOffset > 65535)) {
            throw CliFailure.usage("--port-offset must be from 0 to 65535");
        }
        HeapTuning.apply();
        PosternServer server = Startup.start(ctx.folder(),
                portOffset == null ? OptionalInt.empty() : OptionalInt.of(portOffset), ctx.out());
        // After the listeners: real sessions are served while it runs (see Warmup).
        Warmup warmup = ctx.folder().readConfig().warmup() ? Warmup.start(Warmup.Budget.fromSystemProperties()) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and Ctrl-C: say goodbye to sessions and close the store cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (warmup != null) warmup.close();
            server.close();
            stopped.countDown();
        }, "postern-shutdown"));
        stopped.await();
        return 0;
    }
}
