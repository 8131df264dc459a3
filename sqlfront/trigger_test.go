package sqlfront

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bxdb/bxdb/engine/bedrock"
)

// triggerTests are scripts in the format of testdata/sql (exec / query
// blocks with their exact output, begin / commit / rollback, reopen), each
// run on a fresh database.
var triggerTests = []struct {
	name   string
	script string
}{
	{"catalog", `
exec
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
ok

exec
CREATE VIEW tv AS SELECT id FROM t
----
ok

exec
CREATE TRIGGER tr1 BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v + 1
----
ok

exec
CREATE TRIGGER tr1 AFTER DELETE ON t FOR EACH ROW SET @x = OLD.v
----
error 1359 (HY000): Trigger already exists

exec
CREATE TRIGGER TR1 AFTER DELETE ON t FOR EACH ROW SET @x = OLD.v
----
error 1359 (HY000): Trigger already exists

exec
CREATE TRIGGER IF NOT EXISTS tr1 AFTER DELETE ON t FOR EACH ROW SET @x = OLD.v
----
ok

query
SHOW WARNINGS
----
Level | Code | Message
Note | 1359 | Trigger already exists

exec
CREATE TRIGGER tr2 BEFORE INSERT ON nosuch FOR EACH ROW SET @x = 1
----
error 1146 (42S02): Table 'data.nosuch' doesn't exist

exec
CREATE TRIGGER tr2 BEFORE INSERT ON tv FOR EACH ROW SET @x = 1
----
error 1347 (HY000): 'data.tv' is not BASE TABLE

exec
CREATE TRIGGER other.tr2 BEFORE INSERT ON t FOR EACH ROW SET @x = 1
----
error 1049 (42000): Unknown database 'other'

exec
CREATE TRIGGER data.tr2 AFTER UPDATE ON data.t FOR EACH ROW SET @x = OLD.v
----
ok

exec
DROP TRIGGER nosuch
----
error 1360 (HY000): Trigger does not exist

exec
DROP TRIGGER IF EXISTS nosuch
----
ok

query
SHOW WARNINGS
----
Level | Code | Message
Note | 1360 | Trigger does not exist

query
SELECT TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_CONDITION, ACTION_STATEMENT, ACTION_ORIENTATION, ACTION_TIMING, DEFINER FROM information_schema.TRIGGERS
----
TRIGGER_SCHEMA | TRIGGER_NAME | EVENT_MANIPULATION | EVENT_OBJECT_TABLE | ACTION_ORDER | ACTION_CONDITION | ACTION_STATEMENT | ACTION_ORIENTATION | ACTION_TIMING | DEFINER
data | tr1 | INSERT | t | 1 | NULL | SET NEW.v = NEW.v + 1 | ROW | BEFORE | root@%
data | tr2 | UPDATE | t | 1 | NULL | SET @x = OLD.v | ROW | AFTER | root@%

exec
CREATE TABLE u (k INT)
----
ok

exec
CREATE TRIGGER u_ins BEFORE INSERT ON u FOR EACH ROW SET @x = NEW.k
----
ok

query
SHOW TRIGGERS LIKE 'u%'
----
Trigger | Event | Table | Statement | Timing | Created | sql_mode | Definer | character_set_client | collation_connection | Database Collation
u_ins | INSERT | u | SET @x = NEW.k | BEFORE | * | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | root@% | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci

query
SHOW TRIGGERS FROM data WHERE Timing = 'AFTER'
----
Trigger | Event | Table | Statement | Timing | Created | sql_mode | Definer | character_set_client | collation_connection | Database Collation
tr2 | UPDATE | t | SET @x = OLD.v | AFTER | * | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | root@% | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci

query
SHOW TRIGGERS FROM information_schema
----
Trigger | Event | Table | Statement | Timing | Created | sql_mode | Definer | character_set_client | collation_connection | Database Collation

query
SHOW CREATE TRIGGER TR2
----
Trigger | sql_mode | SQL Original Statement | character_set_client | collation_connection | Database Collation | Created
tr2 | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | CREATE TRIGGER ` + "`tr2` AFTER UPDATE ON `t`" + ` FOR EACH ROW SET @x = OLD.v | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci | *

query
SHOW CREATE TRIGGER nosuch
----
error 1360 (HY000): Trigger does not exist

exec
DROP TRIGGER data.tr2
----
ok

query
SELECT TRIGGER_NAME FROM information_schema.TRIGGERS ORDER BY 1
----
TRIGGER_NAME
tr1
u_ins
`},
	{"checks at create", `
exec
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
ok

exec
CREATE TRIGGER x BEFORE DELETE ON t FOR EACH ROW SET @a = NEW.v
----
error 1363 (HY000): There is no NEW row in on DELETE trigger

exec
CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW INSERT INTO t2 VALUES (OLD.v)
----
error 1363 (HY000): There is no OLD row in on INSERT trigger

exec
CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW SET NEW.v = 1
----
error 1362 (HY000): Updating of NEW row is not allowed in after trigger

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW SET OLD.v = 1
----
error 1362 (HY000): Updating of OLD row is not allowed in trigger

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW SET NEW.nosuch = OLD.v
----
error 1054 (42S22): Unknown column 'nosuch' in 'NEW'

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW IF OLD.nosuch THEN SET @a = 1; END IF
----
error 1054 (42S22): Unknown column 'nosuch' in 'OLD'

exec
CREATE TRIGGER x BEFORE UPDATE OF nosuch ON t BEGIN SELECT 1; END
----
error 1054 (42S22): Unknown column 'nosuch' in 'UPDATE OF'

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW BEGIN SET @a = 1; COMMIT; END
----
error 1422 (HY000): Explicit or implicit commit is not allowed in stored function or trigger.

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW CREATE TABLE z (a INT)
----
error 1422 (HY000): Explicit or implicit commit is not allowed in stored function or trigger.

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW SIGNAL SQLSTATE '00000'
----
error 1407 (42000): Bad SQLSTATE: '00000'

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW SIGNAL SQLSTATE '4500'
----
error 1407 (42000): Bad SQLSTATE: '4500'

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a', MESSAGE_TEXT = 'b'
----
error 1641 (42000): Duplicate condition information item 'MESSAGE_TEXT'

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW FOLLOWS nosuch SET @a = 1
----
error 3011 (HY000): Referenced trigger 'nosuch' for the given action time and event type does not exist.

exec
CREATE TRIGGER x BEFORE UPDATE ON t FOR EACH ROW DECLARE n INT
----
error 1064 (42000): You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near 'DECLARE n INT' at position 49: DECLARE is not supported in a trigger body

query
SELECT COUNT(*) FROM information_schema.TRIGGERS
----
COUNT(*)
0
`},
	{"set new and auto increment", `
exec
CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v INT NOT NULL, w VARCHAR(5), d DECIMAL(5,2))
----
ok

exec
CREATE TABLE log (n INT PRIMARY KEY AUTO_INCREMENT, msg VARCHAR(100))
----
ok

exec
CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW BEGIN INSERT INTO log (msg) VALUES (CONCAT('before id=', NEW.id, ' v=', IFNULL(NEW.v, 'null'))); IF NEW.v IS NULL THEN SET NEW.v = 7; END IF; SET NEW.w = UPPER(NEW.w), NEW.d = '1.234'; IF NEW.w = 'SET' THEN SET NEW.id = 100; END IF; END
----
ok

exec
CREATE TRIGGER ai AFTER INSERT ON t FOR EACH ROW INSERT INTO log (msg) VALUES (CONCAT('after id=', NEW.id, ' v=', NEW.v, ' w=', NEW.w, ' d=', NEW.d))
----
ok

exec
INSERT INTO t (v, w) VALUES (NULL, 'ab'), (5, 'set'), (6, 'cd')
----
affected 3, id 1

query
SELECT LAST_INSERT_ID()
----
LAST_INSERT_ID()
1

query
SELECT * FROM t ORDER BY id
----
id | v | w | d
1 | 7 | AB | 1.23
100 | 5 | SET | 1.23
101 | 6 | CD | 1.23

query
SELECT * FROM log ORDER BY n
----
n | msg
1 | before id=0 v=null
2 | after id=1 v=7 w=AB d=1.23
3 | before id=0 v=5
4 | after id=100 v=5 w=SET d=1.23
5 | before id=0 v=6
6 | after id=101 v=6 w=CD d=1.23

exec
CREATE TRIGGER bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.w = 'toolongvalue'
----
ok

exec
UPDATE t SET v = 8 WHERE id = 1
----
error 1406 (22001): Data too long for column 'w' at row 1

exec
DROP TRIGGER bu
----
ok

exec
CREATE TRIGGER bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.v = NULL
----
ok

exec
UPDATE t SET v = 8 WHERE id = 1
----
error 1048 (23000): Column 'v' cannot be null

query
SELECT id, v FROM t WHERE id = 1
----
id | v
1 | 7
`},
	{"persistence", `
exec
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
ok

exec
CREATE TABLE log (n INT PRIMARY KEY AUTO_INCREMENT, what VARCHAR(20), id INT, v INT)
----
ok

exec
CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO log (what, id, v) VALUES ('ins', NEW.id, NEW.v)
----
ok

exec
CREATE TRIGGER t_au AFTER UPDATE ON t FOR EACH ROW INSERT INTO log (what, id, v) VALUES ('upd', OLD.id, NEW.v - OLD.v)
----
ok

exec
CREATE TRIGGER t1r1 DELETE ON t WHEN old.v > 10 BEGIN INSERT INTO log (what, id) VALUES ('del', old.id); END
----
ok

reopen
----
ok

query
SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_TIMING, ACTION_CONDITION FROM information_schema.TRIGGERS
----
TRIGGER_NAME | EVENT_MANIPULATION | ACTION_TIMING | ACTION_CONDITION
t_ai | INSERT | AFTER | NULL
t_au | UPDATE | AFTER | NULL
t1r1 | DELETE | BEFORE | old.v > 10

exec
INSERT INTO t VALUES (1, 10), (2, 20)
----
affected 2

exec
UPDATE t SET v = v + 5
----
affected 2

exec
DELETE FROM t
----
affected 2

query
SELECT what, id, v FROM log ORDER BY n
----
what | id | v
ins | 1 | 10
ins | 2 | 20
upd | 1 | 5
upd | 2 | 5
del | 1 | NULL
del | 2 | NULL

exec
DROP TRIGGER t_au
----
ok

reopen
----
ok

query
SHOW TRIGGERS
----
Trigger | Event | Table | Statement | Timing | Created | sql_mode | Definer | character_set_client | collation_connection | Database Collation
t_ai | INSERT | t | INSERT INTO log (what, id, v) VALUES ('ins', NEW.id, NEW.v) | AFTER | * | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | root@% | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci
t1r1 | DELETE | t | BEGIN INSERT INTO log (what, id) VALUES ('del', old.id); END | BEFORE | * | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | root@% | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci
`},
	{"drop and rename table", `
exec
CREATE TABLE t (id INT, w INT)
----
ok

exec
CREATE TABLE log (id INT, note INT)
----
ok

exec
CREATE TRIGGER a BEFORE INSERT ON t FOR EACH ROW INSERT INTO log (id) VALUES (NEW.id)
----
ok

exec
RENAME TABLE t TO t2
----
ok

exec
INSERT INTO t2 VALUES (1, 0)
----
affected 1

exec
ALTER TABLE t2 RENAME TO t3, ADD COLUMN x INT
----
ok

exec
INSERT INTO t3 VALUES (2, 0, 0)
----
affected 1

query
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS
----
TRIGGER_NAME | EVENT_OBJECT_TABLE
a | t3

query
SHOW CREATE TRIGGER a
----
Trigger | sql_mode | SQL Original Statement | character_set_client | collation_connection | Database Collation | Created
a | ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION | CREATE TRIGGER ` + "`a` BEFORE INSERT ON `t3`" + ` FOR EACH ROW INSERT INTO log (id) VALUES (NEW.id) | utf8mb4 | utf8mb4_0900_ai_ci | utf8mb4_0900_ai_ci | *

# Names in the body are resolved when it runs.
exec
ALTER TABLE log DROP COLUMN id
----
ok

exec
INSERT INTO t3 VALUES (3, 0, 0)
----
error 1054 (42S22): Unknown column 'id' in 'field list'

exec
ALTER TABLE log ADD COLUMN id INT
----
ok

exec
ALTER TABLE t3 DROP COLUMN id
----
ok

exec
INSERT INTO t3 VALUES (4, 0)
----
error 1054 (42S22): Unknown column 'id' in 'NEW'

exec
DROP TABLE t3
----
ok

query
SELECT COUNT(*) FROM information_schema.TRIGGERS
----
COUNT(*)
0

exec
CREATE TABLE t3 (id INT PRIMARY KEY)
----
ok

exec
INSERT INTO t3 VALUES (5)
----
affected 1

exec
DROP TRIGGER a
----
error 1360 (HY000): Trigger does not exist

query
SELECT * FROM log
----
note | id
NULL | NULL
NULL | NULL
`},
	{"order and statements firing", `
exec
CREATE TABLE t (id INT PRIMARY KEY, u INT UNIQUE, v INT)
----
ok

exec
CREATE TABLE audit (n INT PRIMARY KEY AUTO_INCREMENT, what VARCHAR(40))
----
ok

exec
CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('bi ', NEW.id))
----
ok

exec
CREATE TRIGGER ai AFTER INSERT ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('ai ', NEW.id))
----
ok

exec
CREATE TRIGGER bu BEFORE UPDATE ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('bu ', OLD.id, '>', NEW.id, ' v=', NEW.v))
----
ok

exec
CREATE TRIGGER au AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('au ', OLD.id, '>', NEW.id, ' v=', NEW.v))
----
ok

exec
CREATE TRIGGER bd BEFORE DELETE ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('bd ', OLD.id))
----
ok

exec
CREATE TRIGGER ad AFTER DELETE ON t FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('ad ', OLD.id))
----
ok

exec
CREATE TRIGGER bi0 BEFORE INSERT ON t FOR EACH ROW PRECEDES bi INSERT INTO audit (what) VALUES ('bi0')
----
ok

exec
CREATE TRIGGER bi2 BEFORE INSERT ON t FOR EACH ROW FOLLOWS bi0 INSERT INTO audit (what) VALUES ('bi2')
----
ok

query
SELECT TRIGGER_NAME, ACTION_ORDER FROM information_schema.TRIGGERS WHERE EVENT_MANIPULATION = 'INSERT' AND ACTION_TIMING = 'BEFORE'
----
TRIGGER_NAME | ACTION_ORDER
bi0 | 1
bi2 | 2
bi | 3

exec
DROP TRIGGER bi2
----
ok

query
SELECT TRIGGER_NAME, ACTION_ORDER FROM information_schema.TRIGGERS WHERE EVENT_MANIPULATION = 'INSERT' AND ACTION_TIMING = 'BEFORE'
----
TRIGGER_NAME | ACTION_ORDER
bi0 | 1
bi | 2

exec
DROP TRIGGER bi0
----
ok

exec
CREATE TABLE src (id INT, u INT, v INT)
----
ok

exec
INSERT INTO src VALUES (1, 10, 0), (2, 20, 0), (3, 30, 0)
----
affected 3

# INSERT ... SELECT: per row, in order.
exec
INSERT INTO t SELECT * FROM src ORDER BY id
----
affected 3

# ON DUPLICATE KEY UPDATE: BEFORE INSERT; on the duplicate BEFORE UPDATE and,
# when the row changes, AFTER UPDATE; no AFTER INSERT.
exec
INSERT INTO t VALUES (2, 0, 0), (4, 40, 0), (3, 0, 0) ON DUPLICATE KEY UPDATE v = IF(id = 2, v + 1, v)
----
affected 3

# REPLACE: BEFORE INSERT, then per displaced row (id 1 by PRIMARY, u = 20 by
# UNIQUE) BEFORE and AFTER DELETE, then AFTER INSERT.
exec
REPLACE INTO t VALUES (1, 20, 9)
----
affected 3

query
SELECT * FROM t ORDER BY id
----
id | u | v
1 | 20 | 9
3 | 30 | 0
4 | 40 | 0

query
SELECT n, what FROM audit ORDER BY n
----
n | what
1 | bi 1
2 | ai 1
3 | bi 2
4 | ai 2
5 | bi 3
6 | ai 3
7 | bi 2
8 | bu 2>2 v=1
9 | au 2>2 v=1
10 | bi 4
11 | ai 4
12 | bi 3
13 | bu 3>3 v=0
14 | bi 1
15 | bd 1
16 | ad 1
17 | bd 2
18 | ad 2
19 | ai 1

exec
DELETE FROM audit
----
affected 19

# UPDATE fires BEFORE and AFTER UPDATE for every row it matches, changed or
# not (as MySQL); a multi-table UPDATE and DELETE fire the target's triggers.
exec
UPDATE t SET v = 0 WHERE id >= 3
----
ok

exec
UPDATE t JOIN src ON t.id = src.id SET t.v = t.v + 1
----
affected 2

exec
DELETE t FROM t JOIN src ON t.id = src.id WHERE src.id = 3
----
affected 1

query
SELECT what FROM audit ORDER BY n
----
what
bu 3>3 v=0
au 3>3 v=0
bu 4>4 v=0
au 4>4 v=0
bu 1>1 v=10
au 1>1 v=10
bu 3>3 v=1
au 3>3 v=1
bd 3
ad 3
`},
	{"statement atomicity", `
exec
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
ok

exec
CREATE TABLE audit (n INT PRIMARY KEY AUTO_INCREMENT, id INT)
----
ok

exec
CREATE TRIGGER ai AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO audit (id) VALUES (NEW.id); IF NEW.v = 3 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'third row refused'; END IF; END
----
ok

exec
INSERT INTO t VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)
----
error 1644 (45000): third row refused

query
SELECT (SELECT COUNT(*) FROM t), (SELECT COUNT(*) FROM audit)
----
(SELECT COUNT(*) FROM t) | (SELECT COUNT(*) FROM audit)
0 | 0

begin
----
ok

exec
INSERT INTO t VALUES (10, 10)
----
affected 1

exec
INSERT INTO t VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)
----
error 1644 (45000): third row refused

exec
INSERT INTO t VALUES (11, 11)
----
affected 1

commit
----
ok

query
SELECT id FROM t ORDER BY id
----
id
10
11

query
SELECT id FROM audit ORDER BY n
----
id
10
11

exec
CREATE TRIGGER bu BEFORE UPDATE ON t FOR EACH ROW BEGIN INSERT INTO audit (id) VALUES (-OLD.id); IF NEW.v > 10 THEN SIGNAL SQLSTATE '45001'; END IF; END
----
ok

begin
----
ok

exec
UPDATE t SET v = v + 1 ORDER BY id
----
error 1644 (45001): Unhandled user-defined exception condition

rollback
----
ok

query
SELECT id, v FROM t ORDER BY id
----
id | v
10 | 10
11 | 11

query
SELECT COUNT(*) FROM audit
----
COUNT(*)
2
`},
	{"can't update the subject table", `
exec
CREATE TABLE t (id INT PRIMARY KEY)
----
ok

exec
CREATE TABLE u (id INT PRIMARY KEY)
----
ok

exec
CREATE TABLE w (id INT PRIMARY KEY)
----
ok

exec
CREATE TRIGGER t_self AFTER INSERT ON t FOR EACH ROW UPDATE t SET id = id + 1 WHERE id = NEW.id
----
ok

exec
INSERT INTO t VALUES (1)
----
error 1442 (HY000): Can't update table 't' in stored function/trigger because it is already used by statement which invoked this stored function/trigger.

exec
DROP TRIGGER t_self
----
ok

exec
CREATE TRIGGER t_u AFTER INSERT ON t FOR EACH ROW INSERT INTO u VALUES (NEW.id)
----
ok

exec
CREATE TRIGGER u_w AFTER INSERT ON u FOR EACH ROW INSERT INTO w VALUES (NEW.id * 10)
----
ok

exec
INSERT INTO t VALUES (1), (2)
----
affected 2

query
SELECT (SELECT GROUP_CONCAT(id) FROM u), (SELECT GROUP_CONCAT(id) FROM w)
----
(SELECT GROUP_CONCAT(id) FROM u) | (SELECT GROUP_CONCAT(id) FROM w)
1,2 | 10,20

exec
CREATE TRIGGER w_t BEFORE INSERT ON w FOR EACH ROW DELETE FROM t WHERE id = NEW.id
----
ok

exec
INSERT INTO t VALUES (3)
----
error 1442 (HY000): Can't update table 't' in stored function/trigger because it is already used by statement which invoked this stored function/trigger.

exec
INSERT INTO u VALUES (3)
----
affected 1

query
SELECT (SELECT GROUP_CONCAT(id) FROM t), (SELECT GROUP_CONCAT(id) FROM u), (SELECT GROUP_CONCAT(id) FROM w)
----
(SELECT GROUP_CONCAT(id) FROM t) | (SELECT GROUP_CONCAT(id) FROM u) | (SELECT GROUP_CONCAT(id) FROM w)
1,2 | 1,2,3 | 10,20,30
`},
	{"signal", `
exec
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
ok

exec
CREATE TRIGGER chk BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.v < 0 THEN SET @msg = CONCAT('v must be >= 0, got ', NEW.v); SIGNAL SQLSTATE VALUE '22003' SET MESSAGE_TEXT = @msg, MYSQL_ERRNO = 3100; ELSEIF NEW.v = 0 THEN SIGNAL SQLSTATE '01000' SET MESSAGE_TEXT = 'zero'; ELSEIF NEW.v > 1000 THEN SIGNAL SQLSTATE '02000'; END IF; END
----
ok

exec
INSERT INTO t VALUES (1, -5)
----
error 3100 (22003): v must be >= 0, got -5

exec
INSERT INTO t VALUES (1, 0)
----
affected 1

query
SHOW WARNINGS
----
Level | Code | Message
Warning | 1642 | zero

exec
INSERT INTO t VALUES (2, 5000)
----
error 1643 (02000): Unhandled user-defined not found condition

query
SELECT * FROM t
----
id | v
1 | 0
`},
	{"variables, select into, subqueries", `
exec
CREATE TABLE t (id INT PRIMARY KEY, k INT, v INT)
----
ok

exec
CREATE TABLE price (k INT PRIMARY KEY, p INT)
----
ok

exec
INSERT INTO price VALUES (1, 100), (2, 200)
----
affected 2

exec
SET @n = 0
----
ok

exec
CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET @n = @n + 1; SELECT p INTO @p FROM price WHERE k = NEW.k; SET NEW.v = (SELECT p FROM price WHERE k = NEW.k) + @n; DO 1; SELECT 1; END
----
ok

exec
INSERT INTO t VALUES (1, 1, NULL), (2, 2, NULL), (3, 1, NULL)
----
affected 3

query
SELECT id, v, @n, @p FROM t ORDER BY id
----
id | v | @n | @p
1 | 101 | 3 | 100
2 | 202 | 3 | 100
3 | 103 | 3 | 100

exec
INSERT INTO t VALUES (4, 3, NULL)
----
affected 1

query
SHOW WARNINGS
----
Level | Code | Message
Warning | 1329 | No data - zero rows fetched, selected, or processed

query
SELECT id, v FROM t WHERE id = 4
----
id | v
4 | NULL
`},
	{"sqlite form", `
exec
CREATE TABLE t1 (x INTEGER, y VARCHAR(8))
----
ok

exec
CREATE TABLE log (msg VARCHAR(40))
----
ok

exec
INSERT INTO t1 VALUES (1, 'a'), (2, 'b')
----
affected 2

exec
CREATE TRIGGER t1r1 UPDATE OF y ON t1 WHEN new.y <> old.y BEGIN INSERT INTO log VALUES (CONCAT('y ', old.y, '>', new.y)); END;
----
ok

exec
CREATE TRIGGER t1r2 UPDATE ON t1 BEGIN SELECT 1; END;
----
ok

exec
UPDATE t1 SET x = x + 10
----
affected 2

exec
UPDATE t1 SET y = 'b' WHERE x = 12
----
ok

exec
UPDATE t1 SET y = 'c', x = 0 WHERE x = 11
----
affected 1

query
SELECT msg FROM log
----
msg
y a>c

query
SELECT ACTION_TIMING, ACTION_CONDITION, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = 't1r1'
----
ACTION_TIMING | ACTION_CONDITION | ACTION_STATEMENT
BEFORE | new.y <> old.y | BEGIN INSERT INTO log VALUES (CONCAT('y ', old.y, '>', new.y)); END
`},
	{"foreign key cascades fire no triggers", `
exec
CREATE TABLE p (id INT PRIMARY KEY)
----
ok

exec
CREATE TABLE c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE)
----
ok

exec
CREATE TABLE log (msg VARCHAR(20))
----
ok

exec
CREATE TRIGGER c_del AFTER DELETE ON c FOR EACH ROW INSERT INTO log VALUES (CONCAT('c ', OLD.id))
----
ok

exec
CREATE TRIGGER p_del AFTER DELETE ON p FOR EACH ROW INSERT INTO log VALUES (CONCAT('p ', OLD.id))
----
ok

exec
INSERT INTO p VALUES (1), (2)
----
affected 2

exec
INSERT INTO c VALUES (10, 1), (11, 1), (20, 2)
----
affected 3

exec
DELETE FROM p WHERE id = 1
----
affected 1

exec
DELETE FROM c
----
affected 1

query
SELECT msg FROM log
----
msg
p 1
c 20
`},
	{"generated columns", `
# NEW reads generated columns computed from the row before the BEFORE
# triggers; after them they are computed again from what the triggers
# set (a value a trigger sets on a generated column is overwritten), as
# in MySQL.
exec
CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT AS (a + 1) VIRTUAL, c INT AS (b + 1) STORED)
----
ok

exec
CREATE TABLE log (ev VARCHAR(10), a INT, b INT, c INT)
----
ok

exec
CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW BEGIN INSERT INTO log VALUES ('bi', NEW.a, NEW.b, NEW.c); IF NEW.b < 10 THEN SET NEW.a = 100; SET NEW.b = 9; SET NEW.c = 9; END IF; IF NEW.c > 50 THEN SET NEW.a = 500; END IF; END
----
ok

exec
CREATE TRIGGER bu BEFORE UPDATE ON t FOR EACH ROW BEGIN INSERT INTO log VALUES ('bu', NEW.a, NEW.b, NEW.c); SET NEW.a = NEW.a * 2; END
----
ok

exec
CREATE TRIGGER au AFTER UPDATE ON t FOR EACH ROW INSERT INTO log VALUES ('au', NEW.a, NEW.b, NEW.c)
----
ok

exec
INSERT INTO t (id, a) VALUES (1, 1), (2, 20)
----
affected 2

query
SELECT * FROM t ORDER BY id
----
id | a | b | c
1 | 100 | 101 | 102
2 | 20 | 21 | 22

exec
UPDATE t SET a = 30 WHERE id = 2
----
affected 1

exec
INSERT INTO t (id, a) VALUES (1, 0) ON DUPLICATE KEY UPDATE a = 7
----
affected 2

query
SELECT * FROM t ORDER BY id
----
id | a | b | c
1 | 14 | 15 | 16
2 | 60 | 61 | 62

query
SELECT * FROM log
----
ev | a | b | c
bi | 1 | 2 | 3
bi | 20 | 21 | 22
bu | 30 | 31 | 32
au | 60 | 61 | 62
bi | 0 | 1 | 2
bu | 7 | 8 | 9
au | 14 | 15 | 16
`},
	{"ddl in a transaction", `
exec
CREATE TABLE t (id INT PRIMARY KEY)
----
ok

exec
CREATE TABLE log (id INT)
----
ok

begin
----
ok

exec
CREATE TRIGGER a AFTER INSERT ON t FOR EACH ROW INSERT INTO log VALUES (NEW.id)
----
ok

exec
INSERT INTO t VALUES (1)
----
affected 1

query
SELECT * FROM log
----
id
1

rollback
----
ok

exec
INSERT INTO t VALUES (2)
----
affected 1

query
SELECT (SELECT COUNT(*) FROM log), (SELECT COUNT(*) FROM information_schema.TRIGGERS)
----
(SELECT COUNT(*) FROM log) | (SELECT COUNT(*) FROM information_schema.TRIGGERS)
0 | 0
`},
}

// TestTriggers runs triggerTests.
func TestTriggers(t *testing.T) {
	for _, tc := range triggerTests {
		t.Run(tc.name, func(t *testing.T) {
			opts := &Options{FS: bedrock.NewMemFS(), BusyTimeout: 50e6}
			e, err := Open("data.bxdb", opts)
			if err != nil {
				t.Fatal(err)
			}
			r := &dataRunner{t: t, e: e, sess: map[string]*Session{}, ctx: context.Background(), bopts: opts}
			defer func() { r.e.Close() }()
			var transcript strings.Builder
			for _, c := range parseSQLCases(tc.script) {
				got := r.run(c)
				fmt.Fprintf(&transcript, "%s\n%s\n----\n%s\n\n", c.cmd, c.sql, got)
				if !matchWild(got, c.want) {
					t.Errorf("line %d: %s\n%s\ngot:\n%s\nwant:\n%s", c.line, c.cmd, c.sql, got, c.want)
				}
			}
			if t.Failed() && os.Getenv("BXDB_TRIGGER_TRANSCRIPT") != "" {
				t.Logf("transcript:\n%s", transcript.String())
			}
		})
	}
}

// matchWild reports whether got is want, where a field "*" of want (a
// whole " | "-separated value: a creation time) matches any value.
func matchWild(got, want string) bool {
	if got == want {
		return true
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(gl) != len(wl) {
		return false
	}
	for i := range gl {
		gf, wf := strings.Split(gl[i], " | "), strings.Split(wl[i], " | ")
		if len(gf) != len(wf) {
			return false
		}
		for k := range gf {
			if wf[k] != "*" && wf[k] != gf[k] {
				return false
			}
		}
	}
	return true
}

// TestTriggersNotFiredBySync: the rows SYNC TABLE applies, on either side,
// fire no trigger (as MySQL's row-based replication), while the writes of
// each side's own statements do.
func TestTriggersNotFiredBySync(t *testing.T) {
	ea, eb := openSyncPeer(t), openSyncPeer(t)
	for _, e := range []*Engine{ea, eb} {
		s := e.NewSession()
		execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
		execSQL(t, s, "CREATE TABLE log (what VARCHAR(20))")
		for _, ev := range []string{"INSERT", "UPDATE", "DELETE"} {
			row := "NEW"
			if ev == "DELETE" {
				row = "OLD"
			}
			execSQL(t, s, fmt.Sprintf("CREATE TRIGGER t_%s AFTER %s ON t FOR EACH ROW INSERT INTO log VALUES (CONCAT('%s ', %s.id))", ev, ev, ev, row))
		}
	}
	sa, sb := ea.NewSession(), eb.NewSession()
	execSQL(t, sa, "INSERT INTO t VALUES (1, 1), (2, 2)")
	execSQL(t, sb, "INSERT INTO t VALUES (3, 3)")
	addr := serveSyncForTest(t, eb, nil)
	sync := func() {
		t.Helper()
		if _, err := ea.syncTable(context.Background(), "t", "bxdb://"+addr, nil); err != nil {
			t.Fatal(err)
		}
	}
	sync()
	execSQL(t, sb, "UPDATE t SET v = 10 WHERE id = 1")
	execSQL(t, sa, "DELETE FROM t WHERE id = 3")
	sync()
	for _, c := range []struct {
		e          *Engine
		rows, logs string
	}{
		{ea, "[[1 10] [2 2]]", "[[INSERT 1] [INSERT 2] [DELETE 3]]"},
		{eb, "[[1 10] [2 2]]", "[[INSERT 3] [UPDATE 1]]"},
	} {
		s := c.e.NewSession()
		if got := fmt.Sprint(querySQL(t, s, "SELECT id, v FROM t ORDER BY id")); got != c.rows {
			t.Errorf("rows: %s, want %s", got, c.rows)
		}
		if got := fmt.Sprint(querySQL(t, s, "SELECT what FROM log")); got != c.logs {
			t.Errorf("log: %s, want %s", got, c.logs)
		}
	}
}

// TestTriggersConcurrentSessions: sessions firing the same triggers at
// once share one parsed program; every row is audited once.
func TestTriggersConcurrentSessions(t *testing.T) {
	e := openConcurrent(t, 10e9)
	s := e.NewSession()
	execSQL(t, s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	execSQL(t, s, "CREATE TABLE audit (n INT PRIMARY KEY AUTO_INCREMENT, id INT, v INT)")
	execSQL(t, s, "CREATE TRIGGER bi BEFORE INSERT ON t FOR EACH ROW SET NEW.v = (SELECT COUNT(*) FROM audit WHERE id < NEW.id) * 0 + NEW.id * 2")
	execSQL(t, s, "CREATE TRIGGER ai AFTER INSERT ON t FOR EACH ROW INSERT INTO audit (id, v) VALUES (NEW.id, NEW.v)")
	const workers, each = 4, 50
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			s := e.NewSession()
			defer s.Close()
			for i := 0; i < each; i++ {
				if err := execErr(context.Background(), s, fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", w*each+i)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(w)
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("[[%d %d 0]]", workers*each, workers*each)
	if got := fmt.Sprint(querySQL(t, s, "SELECT COUNT(*), COUNT(DISTINCT a.id), SUM(a.v <> t.v) FROM audit AS a JOIN t ON a.id = t.id WHERE t.v = 2 * t.id")); got != want {
		t.Fatalf("audit: %s, want %s", got, want)
	}
}
