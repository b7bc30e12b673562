package metric

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func BenchmarkNPS(b *testing.B) {
	c := NPSCounts{4000, 3000, 3000}
	for b.Loop() {
		_ = NPS(c, Options{})
	}
}

func BenchmarkCSAT(b *testing.B) {
	p := Proportion{Hits: 4500, N: 6000}
	for b.Loop() {
		_ = CSAT(p, Options{})
	}
}

func BenchmarkCompareMeans(b *testing.B) {
	cur, prev := moments(1, 2, 3, 4, 5, 6, 7, 5, 5, 6), moments(2, 3, 3, 4, 4, 5, 6, 6, 7, 7)
	for b.Loop() {
		_ = CompareMeans(cur, prev, Options{MinN: 2})
	}
}

func BenchmarkBenjaminiHochberg1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := make([]float64, 1000)
	for i := range p {
		p[i] = rng.Float64()
	}
	for b.Loop() {
		_ = BenjaminiHochberg(p)
	}
}

// benchDrivers returns rows × drivers of correlated synthetic data.
func benchDrivers(rows, drivers int) ([]float64, []Driver) {
	rng := rand.New(rand.NewPCG(42, 43))
	common := make([]float64, rows)
	y := make([]float64, rows)
	for i := range common {
		common[i] = rng.NormFloat64()
	}
	ds := make([]Driver, drivers)
	for j := range ds {
		v := make([]float64, rows)
		for i := range v {
			v[i] = 0.6*common[i] + 0.8*rng.NormFloat64()
			y[i] += float64(j+1) / float64(drivers) * v[i]
		}
		ds[j] = Driver{Name: fmt.Sprintf("d%d", j), Values: v}
	}
	for i := range y {
		y[i] += rng.NormFloat64()
	}
	return y, ds
}

func BenchmarkRelativeWeights(b *testing.B) {
	y, ds := benchDrivers(10000, 10)
	for b.Loop() {
		if _, err := KeyDrivers(y, ds, DriverOptions{Method: RelativeWeights}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLMG(b *testing.B) {
	y, ds := benchDrivers(10000, 10)
	for b.Loop() {
		if _, err := KeyDrivers(y, ds, DriverOptions{Method: LMG}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLMG12(b *testing.B) {
	y, ds := benchDrivers(10000, 12)
	for b.Loop() {
		if _, err := KeyDrivers(y, ds, DriverOptions{Method: LMG}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWeakSpots30(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	tps := make([]TouchpointFigures[NPSCounts], 30)
	for i := range tps {
		c := func() NPSCounts {
			return NPSCounts{int64(rng.IntN(500)), int64(rng.IntN(300)), int64(rng.IntN(400))}
		}
		tps[i] = TouchpointFigures[NPSCounts]{Key: fmt.Sprintf("tp%d", i), Current: c(), Previous: c()}
	}
	for b.Loop() {
		_ = WeakSpots(tps, WeakSpotOptions{Adjust: true})
	}
}

func BenchmarkCohorts10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	purchases := make([][]time.Time, 10000)
	for i := range purchases {
		k := 1 + rng.IntN(6)
		for range k {
			purchases[i] = append(purchases[i], start.Add(time.Duration(rng.Int64N(int64(700*24*time.Hour)))))
		}
	}
	loc := berlin(b)
	now := start.Add(700 * 24 * time.Hour)
	for b.Loop() {
		_ = Cohorts(purchases, loc, now, Options{})
	}
}
