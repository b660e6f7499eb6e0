package main

import (
	"math"
	"strconv"

	"github.com/medtwin/medtwin/engine/benchref"
	"github.com/medtwin/medtwin/scripts"
	"github.com/urfave/cli/v2"
)

func init() { extraBenchCmds = append(extraBenchCmds, benchLuaCmd()) }

func benchLuaCmd() *cli.Command {
	return &cli.Command{
		Name:  "lua",
		Usage: "scenarios/mmc.lua (Lua processes) against mmc_floor and lua_floor",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "customers", Value: 300_000, Usage: "customers per measurement"},
			&cli.StringFlag{Name: "scenario", Value: "scenarios/mmc.lua", Usage: "an M/M/c scenario with a customers parameter"},
		}, benchFlags...),
		Action: func(c *cli.Context) error {
			bins, cleanup, err := buildFloors(c, "mmc_floor", "lua_floor")
			defer cleanup()
			if err != nil {
				return err
			}
			mmcBin, luaBin := bins["mmc_floor"], bins["lua_floor"]
			n := c.Int("customers")
			var floor, luaCB, luaPool, goProc, lua float64
			for r := 0; r < c.Int("rounds"); r++ {
				res, err := benchref.Run(mmcBin, "1000000")
				if err != nil {
					return err
				}
				floor = math.Max(floor, res["floor"]["customers_per_s"])
				lres, err := benchref.Run(luaBin, strconv.Itoa(n))
				if err != nil {
					return err
				}
				luaCB = math.Max(luaCB, lres["lua-callback"]["customers_per_s"])
				luaPool = math.Max(luaPool, lres["lua-coroutine-pooled"]["customers_per_s"])
				x, _ := timeMMc(n, true)
				goProc = math.Max(goProc, x)
				y, err := scripts.MMcThroughput(c.String("scenario"), n)
				if err != nil {
					return err
				}
				lua = math.Max(lua, y)
			}
			// Two events per customer (arrival, departure): the Lua cost per event
			// is the difference in time per customer between the Lua and the Go
			// process models, halved.
			overheadNs := (1/lua - 1/goProc) / 2 * 1e9
			return printBench(c, []benchRow{
				{Name: "mmc_floor (reference)", Value: floor, Unit: "customers/s"},
				{Name: "lua_floor Lua callbacks (reference)", Value: luaCB, Unit: "customers/s", Floor: floor, Ratio: luaCB / floor},
				{Name: "lua_floor pooled Lua coroutines", Value: luaPool, Unit: "lifecycles/s"},
				{Name: "medtwin Go processes", Value: goProc, Unit: "customers/s", Floor: floor, Ratio: goProc / floor},
				{Name: "medtwin mmc.lua (Lua processes)", Value: lua, Unit: "customers/s", Floor: floor, Ratio: lua / floor, Target: ">= 0.05 of floor (issue 25)"},
				{Name: "Lua overhead per event", Value: overheadNs, Unit: "ns/event"},
			})
		},
	}
}
