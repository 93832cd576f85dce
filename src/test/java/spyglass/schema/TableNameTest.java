package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TableNameTest {
    @Test
    void bareAndBackquotedParts() {
        assertEquals(new TableName("shop", "orders"), TableName.parse("shop.orders"));
        assertEquals(new TableName("shop", "v1.2"), TableName.parse("shop.v1.2"));
        assertEquals(new TableName("d.b", "t`x"), TableName.parse("`d.b`.`t``x`"));
        assertEquals(new TableName("naïve", "名前"), TableName.parse("naïve.名前"));
        assertEquals("`d.b`.`t``x`", TableName.parse("`d.b`.`t``x`").toString());
    }

    @Test
    void whatIsNotDbDotTableSaysTheForm() {
        for (final String bad : new String[] {"orders", ".orders", "shop.", "`shop`orders", "`shop.orders"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableName.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
