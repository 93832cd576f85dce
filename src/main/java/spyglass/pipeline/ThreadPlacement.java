package spyglass.pipeline;

/**
 * Called on each pipeline thread as it starts, before any work: where a caller pins the thread
 * to a CPU. The pipeline itself knows nothing of CPUs (that takes the {@code linux} room).
 */
@FunctionalInterface
public interface ThreadPlacement {
    ThreadPlacement NONE = (role, index) -> {
    };

    /**
     * @param role  {@code "worker"} or {@code "writer"}
     * @param index the worker's number from 0; 0 for the writer
     */
    void onThreadStart(String role, int index);
}
