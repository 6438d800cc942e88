// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Entry point: {@code java -jar postern-bench.jar SUBCOMMAND --options}. Results are printed as one
 * JSON object a line on standard output; progress and errors go to standard error.
 */
public final class Main {
    static final String USAGE = """
            usage: java -jar postern-bench.jar COMMAND [--options]
              imap-mix   --host 127.0.0.1 --port P [--ssl] --users-file F --mbox M --clients N --seconds S
                         [--stay-logged-in [--phases fetch,list,append]] [--warmup S] [--label NAME]
              imap-big   --host 127.0.0.1 --port P [--ssl] --user U --password PW [--repeats 5] [--word W]
                         [--only select,fetch,search,sort]
              jmap       --host 127.0.0.1 --port HTTPS_PORT --user ADDR --password PW [--smtp-port 25] [--repeats 100]
                         [--warmup 20] [--pushes 20] [--only list,query,get,push] [--pid SERVER_PID] [--label NAME]
              imap-idle  --host 127.0.0.1 --port P [--ssl] --users-file F --connections N --pid SERVER_PID
                         [--settle S] [--smtp-port P] [--jcmd-gc] [--concurrency 50]
              pop3-load  --host 127.0.0.1 --port P [--ssl] --user 'test%d@example.test' --users 1-100 --password PW
                         --clients N --seconds S [--runs 3] [--max-sessions N] [--label NAME] [--no-resume]
              imap-load  --host 127.0.0.1 --port P [--ssl] --users-file F [--users N] --mbox M [--per-user N] [--reset]
            with postern.jar on the class path (java -cp postern-bench.jar:postern.jar org.postern.bench.Main ...):
              accounts   --data DIR --users-file F [--users N] [--passwd]  Postern's 'domain add' + 'account add' (or passwd) per user
              load-store --data DIR --account ADDR --count N --mbox M  messages straight into the store (server stopped)
            users file: one 'login password' a line. Targets must be loopback addresses.
            """;

    private Main() {}

    public static void main(String[] args) {
        // Like postern's own CLI: keep the store's log lines off stdout, which carries the results.
        System.setProperty("postern.log.target", "System.err");
        System.setProperty("postern.log.level", "WARN");
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "imap-mix" -> MixBench.run(rest);
                case "imap-big" -> BigMailboxBench.run(rest);
                case "jmap" -> JmapBench.run(rest);
                case "imap-idle" -> IdleBench.run(rest);
                case "imap-load" -> AppendLoader.run(rest);
                case "pop3-load" -> Pop3Bench.run(rest);
                case "accounts" -> AccountLoader.run(rest);
                case "load-store" -> StoreLoader.run(rest);
                default -> {
                    System.err.print("unknown command " + args[0] + "\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            System.err.println("postern-bench: " + e.getMessage());
            return 2;
        } catch (NoClassDefFoundError e) {
            System.err.println("postern-bench: " + args[0] + " needs postern.jar on the class path (" + e.getMessage() + ")");
            return 2;
        } catch (Exception e) {
            System.err.println("postern-bench: " + args[0] + " failed: " + e);
            return 1;
        }
    }
}
