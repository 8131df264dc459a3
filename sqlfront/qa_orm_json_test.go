package sqlfront

import (
	"context"
	"testing"
)

// TestQAORMJSONRegressions: JSON compared with a boolean, JSON columns in
// JSON_ARRAYAGG / JSON_OBJECTAGG and through derived tables (found by
// the ORM QA programs in conformance/orm_qa_test.go).
func TestQAORMJSONRegressions(t *testing.T) {
	ctx := context.Background()
	s := qaOpen(t).NewSession()
	for _, q := range []string{
		"CREATE TABLE j (id INT PRIMARY KEY, d JSON)",
		`INSERT INTO j VALUES (1, '{"b": true}'), (2, NULL), (3, '{"b": 1}'), (4, '{"b": false}'), (5, '{"b": "true"}')`,
	} {
		if got := qaQuery(ctx, s, q); got != "" {
			t.Fatalf("%s: %s", q, got)
		}
	}
	for _, c := range []struct{ q, want string }{
		// MySQL converts TRUE/FALSE (and boolean expressions) to JSON
		// booleans when compared with JSON: true is not 1.
		{"SELECT id, d->'$.b' = TRUE, d->'$.b' = FALSE, FALSE <> d->'$.b' FROM j ORDER BY id",
			"1|1|0|1;2|NULL|NULL|NULL;3|0|0|1;4|0|1|0;5|0|0|1"},
		{"SELECT id FROM j WHERE JSON_EXTRACT(d, '$.b') = true", "1"},
		{"SELECT id FROM j WHERE d->'$.b' = (1 = 1)", "1"},
		{"SELECT d->'$.b' = 1 FROM j WHERE id = 1", "0"},
		{"SELECT JSON_EXTRACT('[true]', '$[0]') = TRUE, CAST('false' AS JSON) = FALSE", "1|1"},
		// JSON arguments of the JSON aggregates are JSON, not strings.
		{"SELECT JSON_ARRAYAGG(d) FROM j WHERE id < 4", `[{"b": true}, null, {"b": 1}]`},
		{"SELECT JSON_OBJECTAGG(id, d->'$.b') FROM j", `{"1": true, "2": null, "3": 1, "4": false, "5": "true"}`},
		{"SELECT JSON_ARRAYAGG(id > 3) FROM j", `[false, false, false, true, true]`},
		{"SELECT JSON_ARRAYAGG(d) FROM (SELECT d FROM j WHERE id IN (1, 5)) x", `[{"b": true}, {"b": "true"}]`},
		{"SELECT JSON_ARRAY(d) FROM (SELECT id, d FROM j) x WHERE id = 3", `[{"b": 1}]`},
		{"CREATE VIEW jv AS SELECT id, d FROM j", ""},
		{"SELECT JSON_OBJECT('k', d), d->'$.b' = TRUE FROM jv WHERE id = 1", `{"k": {"b": true}}|1`},
		{"WITH c AS (SELECT id, d FROM j) SELECT JSON_ARRAY(d) FROM c WHERE id = 4", `[{"b": false}]`},
	} {
		if got := qaQuery(ctx, s, c.q); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
}
