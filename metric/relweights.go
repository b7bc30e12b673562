package metric

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// eigenTol is the relative size below which an eigenvalue of a correlation
// matrix counts as zero, so that perfectly collinear drivers share their
// importance instead of breaking the computation.
const eigenTol = 1e-10

// relativeWeights computes Johnson's relative weights from the drivers'
// correlation matrix rxx and their correlations with the outcome rxy.
//
// With rxx = V·diag(λ)·Vᵀ, the matrix Λ = V·diag(√λ)·Vᵀ holds the
// correlations between the drivers and their closest orthogonal
// counterparts Z. Regressing the outcome on Z gives β = V·diag(1/√λ)·Vᵀ·rxy,
// and driver j's weight is εⱼ = Σₖ Λⱼₖ²·βₖ². Because each column of Λ∘Λ sums
// to one, Σ εⱼ = Σ βₖ² = rxyᵀ·rxx⁺·rxy = R².
func relativeWeights(rxx [][]float64, rxy []float64) (r2 float64, weights []float64) {
	p := len(rxy)
	vals, vecs := eigen(rxx)
	sqrt, inv := make([]float64, p), make([]float64, p)
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	for k, v := range vals {
		if v > eigenTol*top {
			sqrt[k], inv[k] = math.Sqrt(v), 1/math.Sqrt(v)
		}
	}
	lambda := make([][]float64, p) // Λ = V·diag(√λ)·Vᵀ
	beta := make([]float64, p)     // β = V·diag(1/√λ)·Vᵀ·rxy
	vtr := make([]float64, p)      // Vᵀ·rxy
	for k := 0; k < p; k++ {
		for i := 0; i < p; i++ {
			vtr[k] += vecs.At(i, k) * rxy[i]
		}
	}
	for i := 0; i < p; i++ {
		lambda[i] = make([]float64, p)
		for j := 0; j < p; j++ {
			for k := 0; k < p; k++ {
				lambda[i][j] += vecs.At(i, k) * sqrt[k] * vecs.At(j, k)
			}
		}
		for k := 0; k < p; k++ {
			beta[i] += vecs.At(i, k) * inv[k] * vtr[k]
		}
	}
	weights = make([]float64, p)
	for j := 0; j < p; j++ {
		for k := 0; k < p; k++ {
			weights[j] += lambda[j][k] * lambda[j][k] * beta[k] * beta[k]
		}
		r2 += weights[j]
	}
	return r2, weights
}

// eigen returns the eigenvalues and eigenvectors (as columns) of the
// symmetric matrix a. A factorisation that fails, which gonum reports only
// for matrices with NaN, gives zero eigenvalues and so zero weights.
func eigen(a [][]float64) ([]float64, *mat.Dense) {
	p := len(a)
	sym := mat.NewSymDense(p, nil)
	for i := range a {
		for j := i; j < p; j++ {
			sym.SetSym(i, j, a[i][j])
		}
	}
	var e mat.EigenSym
	vecs := mat.NewDense(p, p, nil)
	if !e.Factorize(sym, true) {
		return make([]float64, p), vecs
	}
	e.VectorsTo(vecs)
	return e.Values(nil), vecs
}
