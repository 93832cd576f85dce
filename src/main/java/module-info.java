/**
 * spyglass: a passive MySQL/MariaDB traffic analyser. See DESIGN.md for the floor plan.
 */
module spyglass {
    requires org.agrona;
    requires info.picocli;
    requires jdk.management;
    requires aircompressor;
    requires jdk.unsupported;
    requires java.sql;
    // mysql-connector-j has no module name of its own: this is the one Java derives from its jar
    requires mysql.connector.j;

    opens spyglass.cli to info.picocli;
    // the driver makes the Unix-socket factory by reflection
    exports spyglass.schema to mysql.connector.j;
}
