package dev.ferry.backend.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How every ferry command reports errors: exactly one line {@code ferry: <message naming the option>} on stderr,
 * never a stack trace. A bad flag or value exits with {@link #USAGE} (2), before any socket opens; a failure at
 * run time (a port already in use) exits with {@link #FAILURE} (1).
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Cli() {
    }

    /** Installs the one-line error handlers on {@code cl} and its subcommands; returns {@code cl}. */
    public static CommandLine configure(CommandLine cl) {
        return cl.setParameterExceptionHandler(Cli::onParameterError)
                .setExecutionExceptionHandler((ex, commandLine, parsed) -> {
                    if (ex instanceof ParameterException pe) { // thrown by a command's own validation
                        return onParameterError(pe, new String[0]);
                    }
                    return fail(commandLine, describe(ex));
                });
    }

    /** Prints {@code ferry: message} and returns {@link #USAGE}. */
    public static int usage(CommandLine cl, String message) {
        return print(cl, message, USAGE);
    }

    /** Prints {@code ferry: message} and returns {@link #FAILURE}. */
    public static int fail(CommandLine cl, String message) {
        return print(cl, message, FAILURE);
    }

    /** Runs a validation step, prefixing its one-line {@link IllegalArgumentException} with the option's name. */
    public static <T> T named(String option, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /** One line for an unexpected exception: its message (or type), then its root cause's when that adds to it. */
    public static String describe(Throwable t) {
        String msg = firstLine(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t && root.getMessage() != null && !msg.contains(firstLine(root.getMessage()))) {
            msg += ": " + firstLine(root.getMessage());
        }
        return msg;
    }

    private static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        if (ex instanceof CommandLine.MissingParameterException && !cl.getUnmatchedArguments().isEmpty()) {
            // picocli checks required options first, but a mistyped '--sever' is why '--server' is missing.
            ex = new CommandLine.UnmatchedArgumentException(cl, cl.getUnmatchedArguments());
        }
        return usage(cl, message(ex));
    }

    static String message(ParameterException ex) {
        ArgSpec arg = ex.getArgSpec();
        if (arg instanceof OptionSpec opt && ex.getCause() instanceof CommandLine.TypeConversionException tce) {
            return opt.longestName() + ": " + tce.getMessage();
        }
        if (ex instanceof CommandLine.MissingParameterException missing) {
            List<ArgSpec> args = missing.getMissing();
            if (String.valueOf(ex.getMessage()).startsWith("Missing required parameter for option")
                    && args.size() == 1 && args.getFirst() instanceof OptionSpec opt) {
                return opt.longestName() + ": needs a value (" + opt.paramLabel() + ")";
            }
            if (!args.isEmpty() && args.stream().allMatch(a -> a instanceof OptionSpec)) {
                return "missing " + args.stream()
                        .map(a -> ((OptionSpec) a).longestName() + " " + a.paramLabel())
                        .collect(Collectors.joining(" and "));
            }
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String what = unmatched.isUnknownOption() ? "unknown option" : "unexpected argument";
            List<String> suggestions = unmatched.getSuggestions();
            String hint = suggestions.isEmpty() ? ""
                    : " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                    + "?)";
            return what + " '" + unmatched.getUnmatched().getFirst() + "'" + hint;
        }
        return lowerFirst(firstLine(String.valueOf(ex.getMessage())));
    }

    private static int print(CommandLine cl, String message, int code) {
        PrintWriter err = cl.getErr();
        err.println("ferry: " + firstLine(message));
        err.flush();
        return code;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static String lowerFirst(String s) {
        return s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))
                ? Character.toLowerCase(s.charAt(0)) + s.substring(1) : s;
    }
}
