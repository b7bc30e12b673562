package analysis

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// fakeDriverTable is a DriverAnalysisService that returns a fixed table.
type fakeDriverTable struct{ t cxm.DriverTable }

// DriverTable returns the fixed table.
func (f fakeDriverTable) DriverTable(context.Context, cxm.DriverQuery) (*cxm.DriverTable, error) {
	return &f.t, nil
}

// TestAnalyzeDriversLimits checks the answers that are no figures: a
// constant outcome is insufficient_data with the reason, missing values
// lower n, and LMG over more than 12 drivers is a 4xx naming the method.
func TestAnalyzeDriversLimits(t *testing.T) {
	ctx := context.Background()
	const rows = 60
	outcome := make([]float64, rows)
	cols := make([]cxm.DriverColumn, 13)
	for j := range cols {
		cols[j] = cxm.DriverColumn{Name: fmt.Sprintf("d%d", j), Values: make([]float64, rows)}
		for i := range rows {
			cols[j].Values[i] = float64((i*(j+3) + j*j) % 17)
		}
	}
	for i := range outcome {
		outcome[i] = 5
	}
	rep, err := AnalyzeDrivers(ctx, fakeDriverTable{cxm.DriverTable{Outcome: outcome, Drivers: cols}}, cxm.DriverQuery{})
	if err != nil || rep.Status != metric.StatusInsufficient || !strings.Contains(rep.Reason, "constant") || rep.N != rows {
		t.Errorf("constant outcome: %+v, %v; want insufficient_data saying it is constant, n %d", rep, err, rows)
	}
	for i := range outcome {
		outcome[i] = float64(i % 11)
	}
	cols[0].Values[0], cols[1].Values[1] = math.NaN(), math.NaN()
	rep, err = AnalyzeDrivers(ctx, fakeDriverTable{cxm.DriverTable{Outcome: outcome, Drivers: cols}}, cxm.DriverQuery{})
	if err != nil || rep.Status != metric.StatusOK || rep.N != rows-2 || rep.Dropped != 2 || len(rep.Drivers) != len(cols) {
		t.Errorf("relative weights: %+v, %v; want figures for every driver over %d complete rows", rep, err, rows-2)
	}
	_, err = AnalyzeDrivers(ctx, fakeDriverTable{cxm.DriverTable{Outcome: outcome, Drivers: cols}}, cxm.DriverQuery{Method: "lmg"})
	if f := cxm.ErrorFields(err); cxm.ErrorCode(err) != cxm.EInvalid || len(f) != 1 || f[0].Field != "method" {
		t.Errorf("lmg over 13 drivers: %v; want invalid naming method", err)
	}
}
