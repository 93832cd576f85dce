package spyglass.it;

/** What a finished external process left: its exit code and both output streams as text. */
public record ProcessResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** Throws with both streams in the message when the process failed, else returns this. */
    public ProcessResult orThrow(String what) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " failed with exit code " + exitCode
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
        }
        return this;
    }
}
