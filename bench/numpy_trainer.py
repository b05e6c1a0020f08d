"""The reference's training written as a batch-vectorised NumPy float64 trainer: the opponent of
bench/reference-vs-numpy.ts.

    python3 bench/numpy_trainer.py JOB.json

JOB.json (written by the TypeScript side): the standardized training split `data` (rows x F), the
initial parameters `u`, `w`, `v`, `b`, `c` the reference drew, the window starts `starts` (steps x
batch) the reference's rng drew, `lr`, `tau`, `tempColumn` and `runs`. The same model as
reference/rnn.ts (h_t = tanh(U x_t + W h_{t-1} + b), h_0 = 0, yhat = v.h_tau + c, L = (yhat - y)^2),
the same BPTT and SGD step (every parameter moves by -lr x its batch-mean gradient), but each time
step is one matrix product over the whole batch, and the parameter gradients are one contraction
over (time, batch). Taking the starts from the reference's rng makes both do exactly the same work.

Prints one JSON object: the losses of the first run, the final parameters, and the CPU seconds
(time.process_time: this process, all threads) of every run. Import and JSON I/O are not timed.
"""

import json
import sys
import time

try:
    import numpy as np
except ImportError:  # the TypeScript side reports this and skips the comparison
    print(json.dumps({"error": "numpy is not installed (Debian: apt-get install python3-numpy)"}))
    sys.exit(3)


def train(data, starts, params, lr, tau, temp_column):
    """SGD over the batches of window starts; returns the per-step mean losses and the parameters."""
    u, w, v, b = (params[k].copy() for k in ("u", "w", "v", "b"))
    c = float(params["c"])
    steps, batch = starts.shape
    hidden_size = w.shape[0]
    offsets = np.arange(tau)
    losses = np.empty(steps)
    # h[t] holds h_t for t = 0..tau over the batch (h[0] = 0); delta[t] = (1 - h_{t+1}^2) * dL/dh_{t+1}.
    h = np.zeros((tau + 1, batch, hidden_size))
    delta = np.empty((tau, batch, hidden_size))
    for step in range(steps):
        first = starts[step]
        x = data[first[None, :] + offsets[:, None]]  # (tau, batch, F): time-major windows
        y = data[first + tau, temp_column]
        # Forward: the input term of every time step in one product, then the recurrence.
        z = x @ u.T
        z += b
        w_t = w.T
        for t in range(tau):
            current = h[t + 1]
            np.matmul(h[t], w_t, out=current)
            current += z[t]
            np.tanh(current, out=current)
        error = h[tau] @ v + c - y
        losses[step] = np.dot(error, error) / batch
        # Backward through time: dL/dh_tau = 2 (yhat - y) v, dL/dh_{t-1} = W^T delta_t.
        grad_h = np.outer(2 * error, v)
        for t in range(tau - 1, -1, -1):
            np.multiply(1 - h[t + 1] * h[t + 1], grad_h, out=delta[t])
            grad_h = delta[t] @ w
        # Parameter gradients summed over time and batch: one contraction each.
        grad_w = np.tensordot(delta, h[:tau], axes=([0, 1], [0, 1]))
        grad_u = np.tensordot(delta, x, axes=([0, 1], [0, 1]))
        grad_b = delta.sum(axis=(0, 1))
        grad_v = (2 * error) @ h[tau]
        grad_c = 2 * error.sum()
        scale = lr / batch
        u -= scale * grad_u
        w -= scale * grad_w
        v -= scale * grad_v
        b -= scale * grad_b
        c -= scale * grad_c
    return losses, {"u": u, "w": w, "v": v, "b": b, "c": c}


def main(path):
    with open(path, encoding="utf-8") as handle:
        job = json.load(handle)
    data = np.ascontiguousarray(np.array(job["data"], dtype=np.float64))
    starts = np.array(job["starts"], dtype=np.intp)
    params = {k: np.array(job[k], dtype=np.float64) for k in ("u", "w", "v", "b")}
    params["c"] = float(job["c"])
    cpu_seconds = []
    losses = final = None
    for _ in range(int(job["runs"])):
        started = time.process_time()
        losses, final = train(data, starts, params, float(job["lr"]), int(job["tau"]), int(job["tempColumn"]))
        cpu_seconds.append(time.process_time() - started)
    result = {
        "numpy": np.__version__,
        "cpuSeconds": cpu_seconds,
        "losses": losses.tolist(),
        "params": {k: (val.tolist() if k != "c" else val) for k, val in final.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
