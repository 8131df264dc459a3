package driver

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// ErrServeReadOnly is returned (wrapped, with the database's path) by
// Serve for a database opened read-only (mode=ro): a synchronization
// stores the rows the peer sends, so every SYNC TABLE against it would
// fail. Serve refuses at once instead.
var ErrServeReadOnly = errors.New("driver: a read-only database (mode=ro) cannot be served: synchronization writes the rows peers send; open it read-write")

// Serve answers synchronizations on ln for c's database: another bxdb
// database running `SYNC TABLE t WITH 'bxdb://host:port'` against ln's
// address synchronizes its table t with this database's table t (which
// must exist, with the same definition and a declared primary key).
// Serve returns nil when ctx is done, or ln's Accept error; it closes ln.
// A database opened read-only is refused at once (ErrServeReadOnly). A
// synchronization compares a snapshot of the table and takes the
// database's writer lock only to store the rows it received, like a
// short write transaction, so a slow or hostile peer never holds up the
// database's writers; sessions are bounded in time. A failed one changes
// nothing here and is reported to logf (nil: not reported). `bxdb serve
// FILE` runs Serve; a program can also serve its own database while it
// uses it:
//
//	c, err := driver.NewConnector(&driver.Config{Path: "app.bxdb"})
//	db := sql.OpenDB(c)
//	ln, err := net.Listen("tcp", ":7466")
//	go c.Serve(ctx, ln, log.Printf)
func (c *Connector) Serve(ctx context.Context, ln net.Listener, logf func(format string, args ...any)) error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		ln.Close()
		return ErrConnectorClosed
	}
	if c.se.readOnly {
		c.mu.Unlock()
		ln.Close()
		return fmt.Errorf("%w (%s)", ErrServeReadOnly, c.se.path)
	}
	c.se.retain()
	c.mu.Unlock()
	defer c.se.release()
	return c.se.eng.ServeSync(ctx, ln, logf)
}
