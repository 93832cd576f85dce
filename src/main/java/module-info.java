/**
 * spyglass: a passive MySQL/MariaDB traffic analyser. See DESIGN.md for the floor plan.
 */
module spyglass {
    requires org.agrona;
    requires info.picocli;
    requires jdk.management;
    requires aircompressor;
    requires jdk.unsupported;

    opens spyglass.cli to info.picocli;
}
