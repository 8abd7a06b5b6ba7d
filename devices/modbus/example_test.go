package modbus_test

import (
	"context"
	"fmt"
	"time"

	"motcua/devices/modbus"
	"motcua/devices/modbus/modbustest"
)

// A master on one end of a pseudo-terminal, an emulated display on the
// other. In the daemon the port comes from modbus.OpenSerial instead.
func Example() {
	ptm, pts, err := modbustest.Pair()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ptm.Close()
	defer pts.Close()
	srv := modbustest.NewServer(pts, 0)
	disp := srv.Add(5)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	m, err := modbus.New(ptm, modbus.Config{Name: "demo", Baud: 9600, Parity: modbus.ParityEven, Timeout: time.Second, Retries: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m, "gap", m.Config().Gap().Round(time.Microsecond))
	if err := m.WriteMultipleRegisters(ctx, 5, 0, []uint16{'A', '0', '2', '3'}); err != nil {
		fmt.Println(err)
		return
	}
	regs, err := m.ReadHoldingRegisters(ctx, 5, 0, 4)
	fmt.Printf("%q %v %v\n", string([]byte{byte(regs[0]), byte(regs[1]), byte(regs[2]), byte(regs[3])}), disp.Holding(0, 1), err)
	st := m.Stats()
	fmt.Println(st.Transactions, "transactions,", st.BytesOut, "bytes out,", st.BytesIn, "in")
	// Output:
	// modbus demo 9600 8E1 gap 4.01ms
	// "A023" [65] <nil>
	// 2 transactions, 25 bytes out, 21 in
}
