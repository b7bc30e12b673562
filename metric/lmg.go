package metric

import (
	"math"
	"math/bits"

	"gonum.org/v1/gonum/mat"
)

// lmg computes the LMG decomposition of R², the Shapley value of each
// driver in the game whose value is the R² of a subset of drivers:
//
//	LMGⱼ = Σ over S ⊆ P∖{j} of |S|!·(p−|S|−1)!/p! · (R²(S∪{j}) − R²(S)).
//
// The shares sum to the R² of all drivers. R² of a subset S is
// r_Sᵀ·R_SS⁺·r_S from the correlation matrix, so every subset costs one
// small solve and no pass over the data; 2^p subsets are solved.
func lmg(rxx [][]float64, rxy []float64) (r2 float64, shares []float64) {
	p := len(rxy)
	full := 1<<p - 1
	r2s := make([]float64, full+1)
	for mask := 1; mask <= full; mask++ {
		r2s[mask] = subsetR2(rxx, rxy, mask)
	}
	// weight[s] = s!(p−s−1)!/p! = 1 / (p · C(p−1, s)).
	weight := make([]float64, p)
	for s := 0; s < p; s++ {
		lc, _ := math.Lgamma(float64(p))
		ls, _ := math.Lgamma(float64(s + 1))
		lr, _ := math.Lgamma(float64(p - s))
		weight[s] = math.Exp(ls+lr-lc) / float64(p)
	}
	shares = make([]float64, p)
	for mask := 0; mask < full; mask++ {
		w := weight[bits.OnesCount(uint(mask))]
		for j := 0; j < p; j++ {
			if mask&(1<<j) == 0 {
				shares[j] += w * (r2s[mask|1<<j] - r2s[mask])
			}
		}
	}
	return r2s[full], shares
}

// subsetR2 returns the R² of the regression of the outcome on the drivers in
// mask: r_Sᵀ·R_SS⁻¹·r_S by Cholesky, or with the pseudo-inverse when the
// drivers are collinear.
func subsetR2(rxx [][]float64, rxy []float64, mask int) float64 {
	idx := make([]int, 0, bits.OnesCount(uint(mask)))
	for j := range rxy {
		if mask&(1<<j) != 0 {
			idx = append(idx, j)
		}
	}
	k := len(idx)
	sym := mat.NewSymDense(k, nil)
	r := mat.NewVecDense(k, nil)
	for a, ia := range idx {
		r.SetVec(a, rxy[ia])
		for b := a; b < k; b++ {
			sym.SetSym(a, b, rxx[ia][idx[b]])
		}
	}
	var chol mat.Cholesky
	if chol.Factorize(sym) && chol.Cond() < 1/eigenTol {
		var x mat.VecDense
		if err := chol.SolveVecTo(&x, r); err == nil {
			return clamp(mat.Dot(r, &x), 0, 1)
		}
	}
	sub := make([][]float64, k)
	for a := range sub {
		sub[a] = make([]float64, k)
		for b := range sub[a] {
			sub[a][b] = sym.At(a, b)
		}
	}
	return clamp(pinvQuad(sub, r.RawVector().Data), 0, 1)
}

// pinvQuad returns rᵀ·a⁺·r for the symmetric matrix a, ignoring eigenvalues
// below eigenTol of the largest.
func pinvQuad(a [][]float64, r []float64) float64 {
	vals, vecs := eigen(a)
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	var q float64
	for k, v := range vals {
		if v <= eigenTol*top {
			continue
		}
		var proj float64
		for i := range r {
			proj += vecs.At(i, k) * r[i]
		}
		q += proj * proj / v
	}
	return q
}
