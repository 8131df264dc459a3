package driver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"sync"
)

// DriverName is the name the driver is registered under.
const DriverName = "bxdb"

func init() {
	sql.Register(DriverName, &Driver{})
}

// Driver is bxdb's database/sql driver, registered as "bxdb". sql.Open
// uses OpenConnector, so the DSN is parsed and the database opened once per
// *sql.DB.
type Driver struct{}

var (
	_ driver.Driver        = (*Driver)(nil)
	_ driver.DriverContext = (*Driver)(nil)
)

// Open returns a single connection, for callers that use the driver
// without database/sql's pool. The connection owns its own Connector and
// closes it when it closes.
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	cn, err := c.Connect(context.Background())
	if err != nil {
		c.(*Connector).Close()
		return nil, err
	}
	cn.(*conn).owner = c.(*Connector)
	return cn, nil
}

// OpenConnector parses dsn and opens the database (or takes another
// reference to it, if the process has it open already). Errors: ErrBadDSN
// for the DSN, ErrLocked when another process holds the file,
// ErrModeConflict, and the engine's open errors.
func (d *Driver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return NewConnector(cfg)
}

// Connector opens connections to one database. It holds a reference to
// the database's engine from NewConnector until Close; sql.DB.Close calls
// Close. It is safe for concurrent use.
type Connector struct {
	cfg Config
	se  *sharedEngine

	mu struct {
		sync.Mutex
		closed bool
	}
}

var (
	_ driver.Connector = (*Connector)(nil)
	_ io.Closer        = (*Connector)(nil)
)

// NewConnector opens the database cfg names; use it with sql.OpenDB when
// the configuration is built in code rather than parsed from a DSN:
//
//	c, err := driver.NewConnector(&driver.Config{Path: "app.bxdb", Sync: driver.SyncOff})
//	db := sql.OpenDB(c)
//
// Unlike most drivers, the file is opened here, not at the first query:
// a locked or missing file is reported at open. It returns the same errors
// as OpenConnector. cfg is copied.
func NewConnector(cfg *Config) (*Connector, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("%w: empty path", ErrBadDSN)
	}
	se, err := acquireEngine(cfg)
	if err != nil {
		return nil, err
	}
	return &Connector{cfg: *cfg, se: se}, nil
}

// Config returns a copy of the connector's configuration. NB: if another
// connector of the process opened the file first, the engine runs with
// that connector's cache, sync and busy_timeout options.
func (c *Connector) Config() Config { return c.cfg }

// Connect returns a new connection: a session on the shared engine.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return nil, ErrConnectorClosed
	}
	c.se.retain()
	return &conn{se: c.se, sess: c.se.eng.NewSession()}, nil
}

// Driver returns the driver.
func (c *Connector) Driver() driver.Driver { return &Driver{} }

// Close drops the connector's reference to the engine; the engine closes
// when no connector or connection of the process uses it any more.
// Connections already made stay usable until closed. Close is idempotent.
func (c *Connector) Close() error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.closed = true
	c.mu.Unlock()
	return c.se.release()
}
