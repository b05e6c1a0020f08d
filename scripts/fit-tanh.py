"""
The coefficients of the reference's own tanh (reference/rnn.ts: `tanh`, `tanhFromExp`).

    python3 scripts/fit-tanh.py        (needs mpmath)

Prints the polynomial coefficients, rounded to doubles, and the fit's share of the relative error:
- R(z), 11 coefficients: tanh x = x + x·(z·R(z)), z = x² ≤ 0.55², fitted to (tanh x / x - 1)/z;
- S(r), 10 coefficients: e^r - 1 = r + r²·S(r), |r| ≤ ln2/2 (with a margin), fitted to (e^r - 1 - r)/r².
Each is a least-squares fit at 300 Chebyshev nodes in 60-digit arithmetic, weighted by the error's
weight in the result (z, r²): close to the minimax polynomial without an exchange algorithm.
The whole function's error is measured by tests/reference/tanh.test.ts.
"""
import mpmath as mp

mp.mp.dps = 60


def fit(f, a, b, n, weight, nodes=300):
    xs = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / nodes) for k in range(nodes)]
    A = mp.matrix(nodes, n)
    y = mp.matrix(nodes, 1)
    for i, x in enumerate(xs):
        for j in range(n):
            A[i, j] = weight(x) * x**j
        y[i] = weight(x) * f(x)
    solution, _ = mp.qr_solve(A, y)
    coefficients = [mp.mpf(float(solution[j])) for j in range(n)]  # as the code holds them
    grid = [a + (b - a) * k / 4000 for k in range(4001)]
    error = max(abs((sum(c * x**j for j, c in enumerate(coefficients)) - f(x)) * weight(x)) for x in grid)
    return coefficients, error


def r_of_z(z):
    if z == 0:
        return -mp.mpf(1) / 3
    x = mp.sqrt(z)
    return (mp.tanh(x) / x - 1) / z


def s_of_r(r):
    return (mp.exp(r) - 1 - r) / r**2 if r != 0 else mp.mpf(1) / 2


for name, (coefficients, error) in {
    'R(z), tanh for |x| < 0.55': fit(r_of_z, mp.mpf(0), mp.mpf('0.55') ** 2, 11, lambda z: z),
    'S(r), e^r - 1 for |r| <= ln2/2': fit(s_of_r, -mp.log(2) / 2 * mp.mpf('1.001'), mp.log(2) / 2 * mp.mpf('1.001'), 10, lambda r: r * r),
}.items():
    print(f'{name}: fit error 2^{float(mp.log(error, 2)):.1f} relative')
    for c in coefficients:
        print(f'  {float(c)!r}')
