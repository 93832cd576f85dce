package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What {@code --redact-ddl} hides of a definition, and what of the schema it keeps. */
class DdlRedactorTest {
    @Test
    void aTablesValuesGoItsSchemaStays() {
        final String ddl = "CREATE TABLE `orders` (\n"
            + "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
            + "  `customer` varchar(64) NOT NULL DEFAULT 'walk-in customer',\n"
            + "  `total` decimal(10,2) DEFAULT 0.00 COMMENT 'incl. 19% VAT for ACME',\n"
            + "  `state` enum('new','paid','void') DEFAULT 'new',\n"
            + "  `flags` set('a','b') DEFAULT NULL,\n"
            + "  `gross` decimal(12,2) GENERATED ALWAYS AS (`total` * 1.19) VIRTUAL,\n"
            + "  `at` datetime(6) DEFAULT current_timestamp(6),\n"
            + "  `note` text DEFAULT 'it''s \\'quoted\\'',\n"
            + "  `code` varbinary(8) DEFAULT X'DEADBEEF',\n"
            + "  `2fa_codes` int DEFAULT -42,\n"
            + "  PRIMARY KEY (`id`),\n"
            + "  KEY `by_customer` (`customer`(10),`total`),\n"
            + "  CONSTRAINT `positive` CHECK (`total` >= 5)\n"
            + ") ENGINE=InnoDB AUTO_INCREMENT=982451 DEFAULT CHARSET=utf8mb4 COMMENT='customer secrets'\n"
            + " PARTITION BY RANGE (year(`at`))\n"
            + "(PARTITION `p2024` VALUES LESS THAN (2025) ENGINE = InnoDB,\n"
            + " PARTITION `pmax` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)";
        assertEquals("CREATE TABLE `orders` (\n"
            + "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
            + "  `customer` varchar(64) NOT NULL DEFAULT ?,\n"
            + "  `total` decimal(10,2) DEFAULT ? COMMENT ?,\n"
            + "  `state` enum('new','paid','void') DEFAULT ?,\n"
            + "  `flags` set('a','b') DEFAULT NULL,\n"
            + "  `gross` decimal(12,2) GENERATED ALWAYS AS (`total` * ?) VIRTUAL,\n"
            + "  `at` datetime(6) DEFAULT current_timestamp(?),\n"
            + "  `note` text DEFAULT ?,\n"
            + "  `code` varbinary(8) DEFAULT ?,\n"
            + "  `2fa_codes` int DEFAULT -?,\n"
            + "  PRIMARY KEY (`id`),\n"
            + "  KEY `by_customer` (`customer`(10),`total`),\n"
            + "  CONSTRAINT `positive` CHECK (`total` >= ?)\n"
            + ") ENGINE=InnoDB AUTO_INCREMENT=? DEFAULT CHARSET=utf8mb4 COMMENT=?\n"
            + " PARTITION BY RANGE (year(`at`))\n"
            + "(PARTITION `p2024` VALUES LESS THAN (?) ENGINE = InnoDB,\n"
            + " PARTITION `pmax` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)", DdlRedactor.redact(ddl));
    }

    @Test
    void executableCommentsAndViews() {
        assertEquals("CREATE TABLE `e` (`id` int(11) NOT NULL) /*!50100 PARTITION BY LIST (`id`)"
                + " (PARTITION `p1` VALUES IN (?,?) ENGINE = InnoDB) */",
            DdlRedactor.redact("CREATE TABLE `e` (`id` int(11) NOT NULL) /*!50100 PARTITION BY LIST (`id`)"
                + " (PARTITION `p1` VALUES IN (1,2) ENGINE = InnoDB) */"));
        assertEquals("CREATE VIEW `v` AS select `t`.`a` AS `a` from `t` where `t`.`b` = ? and `t`.`c` > ?",
            DdlRedactor.redact("CREATE VIEW `v` AS select `t`.`a` AS `a` from `t` where `t`.`b` = 'vip' and `t`.`c` > 100"));
        // a name with a quote in it, and a comment of the writer's, /* like this */
        assertEquals("CREATE TABLE `it's``x` (`a` int /* */ DEFAULT ?)",
            DdlRedactor.redact("CREATE TABLE `it's``x` (`a` int /* by bob */ DEFAULT '7')"));
    }
}
