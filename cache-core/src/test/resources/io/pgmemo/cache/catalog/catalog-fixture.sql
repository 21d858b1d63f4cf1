-- Objects of every kind the catalog look-ups must tell apart. Run once per test database.
CREATE ROLE app;
CREATE SCHEMA a;
CREATE SCHEMA b;
CREATE SCHEMA hidden;
GRANT USAGE ON SCHEMA a, b TO app;
CREATE SCHEMA app AUTHORIZATION app;
CREATE TABLE app.t (id int);

CREATE TABLE a.t (id int PRIMARY KEY, v text);
CREATE TABLE b.t (id int PRIMARY KEY, v text);
CREATE TABLE hidden.t (id int);

CREATE TABLE orders (id int PRIMARY KEY, customer int, amount numeric);
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE order_lines (id int, order_id int REFERENCES orders (id) ON DELETE CASCADE);
CREATE TABLE order_notes (id int, order_id int REFERENCES orders (id));
CREATE UNLOGGED TABLE scratch (id int);
CREATE SEQUENCE seq;

CREATE VIEW order_totals AS
    SELECT c.name, sum(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.name;
CREATE VIEW big_spenders AS SELECT name FROM order_totals WHERE total > 100;
CREATE VIEW customer_names AS SELECT id, name FROM customers;
CREATE VIEW recent_orders AS SELECT id FROM orders WHERE now() > '2000-01-01';
CREATE VIEW todays_orders AS SELECT id FROM orders WHERE amount > 0 AND current_date > '2000-01-01';
CREATE VIEW xml_export AS SELECT query_to_xml('SELECT 1', true, false, '') AS doc;
CREATE VIEW catalog_view AS SELECT relname FROM pg_catalog.pg_class;
CREATE MATERIALIZED VIEW order_snapshot AS SELECT id, amount, now() AS taken FROM orders;

CREATE TABLE measurements (id int, k int) PARTITION BY LIST (k);
CREATE TABLE measurements_1 PARTITION OF measurements FOR VALUES IN (1);
CREATE TABLE measurements_2 PARTITION OF measurements FOR VALUES IN (2);

CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;
CREATE FOREIGN TABLE remote_items (id int) SERVER dummy_server;

CREATE FUNCTION plus_one(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 + 1';
CREATE FUNCTION lookup_name(int) RETURNS text STABLE LANGUAGE sql AS 'SELECT name FROM customers WHERE id = $1';
CREATE FUNCTION roll(int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION as_owner(int) RETURNS int IMMUTABLE SECURITY DEFINER LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION a.only_in_a(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION full_name(customers) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT $1.name';
CREATE FUNCTION nosy(customers) RETURNS text VOLATILE LANGUAGE sql AS 'SELECT $1.name';
CREATE FUNCTION add_customer() RETURNS int VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customers VALUES (999, 'added') ON CONFLICT DO NOTHING;
    RETURN 1;
END
$$;
CREATE VIEW adding_view AS SELECT add_customer() AS added;
CREATE FUNCTION volatile_step(int, int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT coalesce($1, 0) + $2';
CREATE AGGREGATE volatile_sum(int) (SFUNC = volatile_step, STYPE = int);
CREATE FUNCTION volatile_eq(int, int) RETURNS bool VOLATILE LANGUAGE sql AS 'SELECT $1 = $2';
CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = volatile_eq);

CREATE TABLE docs (id int, owner text);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_owner ON docs USING (owner = current_user);
CREATE TABLE tenant_docs (id int, tenant int);
ALTER TABLE tenant_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_tenant ON tenant_docs USING (tenant = current_setting('app.tenant')::int);
CREATE TABLE acl (doc int, member text);
CREATE TABLE shared_docs (id int);
ALTER TABLE shared_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY via_acl ON shared_docs USING (EXISTS (SELECT 1 FROM acl WHERE acl.doc = id AND acl.member = current_user));

CREATE TABLE audited (id int);
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER audit AFTER INSERT ON audited FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TABLE ruled (id int);
CREATE RULE notify_insert AS ON INSERT TO ruled DO ALSO NOTIFY ruled;

-- Expressions that run a function that may write, for every row written or read.
CREATE TABLE journal (id int);
CREATE FUNCTION journal_next() RETURNS int VOLATILE LANGUAGE sql AS 'INSERT INTO journal VALUES (1) RETURNING id';
CREATE TABLE defaulted (id int, n int DEFAULT journal_next());
CREATE TABLE checked (id int CHECK (roll(id) > 0));
CREATE DOMAIN rolled AS int CHECK (roll(VALUE) > 0);
CREATE TABLE domained (id rolled);
CREATE TABLE policed (id int);
ALTER TABLE policed ENABLE ROW LEVEL SECURITY;
CREATE POLICY rolling ON policed USING (roll(id) > 0);
CREATE VIEW policed_view AS SELECT id FROM policed;
CREATE TABLE sequenced (id int DEFAULT nextval('seq') CHECK (id > 0));
