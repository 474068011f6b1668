package dev.ferry.frontend.netns;

import java.util.List;

/** How a short command run by {@link NetnsLab} ended: its exit code and what it printed (stdout and stderr merged). */
record CommandResult(List<String> command, int exitCode, String output) {

    boolean succeeded() {
        return exitCode == 0;
    }

    /** This result, if the command exited with 0; otherwise an error that shows the command and its output. */
    CommandResult requireSuccess() {
        if (exitCode != 0) {
            throw new IllegalStateException(this.toString());
        }
        return this;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exitCode + (output.isBlank() ? "" : ":\n" + output.strip());
    }
}
