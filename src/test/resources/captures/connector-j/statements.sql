-- Connector/J driven by RecordClient.java: every COM_QUERY sent, taken from the general log (see README.md)
/* mysql-connector-j-9.4.0 (Revision: d680767849154c8e136dfc3d8a0ae4d9fefd1fb7) */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@query_cache_size AS query_cache_size, @@query_cache_type AS query_cache_type, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@tx_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout;
SET character_set_results = NULL;
SET autocommit=1;
CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, owner VARCHAR(64) NOT NULL, email VARCHAR(100) UNIQUE, balance DECIMAL(12,2) NOT NULL);
INSERT INTO accounts (id, owner, email, balance) VALUES (1, 'alice', 'alice@example.com', 100.00);
INSERT INTO accounts (id, owner, email, balance) VALUES (2, 'bob o''neil', 'bob@example.com', 250.50);
INSERT INTO accounts (id, owner, email, balance) VALUES (3, 'carol "cc" ünïcode', 'carol@example.com', -12.75);
SELECT owner, balance FROM accounts WHERE id = 2;
SELECT owner, balance FROM accounts WHERE id = 99;
SELECT id, email FROM accounts WHERE owner LIKE '%o%' AND balance > -100 ORDER BY id;
UPDATE accounts SET balance = balance + 5.00 WHERE balance > 0;
SET autocommit=0;
UPDATE accounts SET balance = balance + -30.00 WHERE id = 1;
UPDATE accounts SET balance = balance + 30.00 WHERE id = 3;
COMMIT;
SET autocommit=1;
INSERT INTO accounts (id, owner, email, balance) VALUES (4, 'mallory', 'alice@example.com', 1.00);
SELECT id FROM missing_table WHERE id = 1;
