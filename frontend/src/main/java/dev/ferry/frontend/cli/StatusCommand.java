package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.Cli;
import dev.ferry.backend.cli.HostPort;
import dev.ferry.backend.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ferry status}: prints what a running frontend's {@code --status} endpoint says of its backends. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Show a running frontend's backends: state, tunnels up, weight, median RTT, keepalive loss, "
                + "streams (this frontend's / the backend's total), bytes and reconnects. The frontend must run "
                + "with --status."},
        footerHeading = "%nExamples:%n",
        footer = {"  ferry frontend --server a.example:7000 --server b.example:7000 ... --status 7070",
                "  ferry status 7070"})
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "[HOST:]PORT", defaultValue = "7070",
            description = "Where the frontend's --status listens. Default: 127.0.0.1:${DEFAULT-VALUE}.")
    String where;

    @Override
    public Integer call() throws InterruptedException {
        String target;
        try {
            target = HostPort.format(BindParser.parse(where));
        } catch (IllegalArgumentException e) {
            return Cli.usage(spec.commandLine(), "[HOST:]PORT: " + e.getMessage());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + target + "/status"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Cli.fail(spec.commandLine(), "status: " + target + " answered HTTP " + r.statusCode());
            }
            spec.commandLine().getOut().print(r.body());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IOException e) {
            return Cli.fail(spec.commandLine(), "status: nothing answers on " + target
                    + " (start the frontend with --status " + where + ")");
        }
    }
}
