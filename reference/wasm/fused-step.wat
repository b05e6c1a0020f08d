;; The reference's fused training step (fusedTrainingStep in reference/rnn.ts) in WebAssembly SIMD.
;;
;; Why: issue 18 asks the reference's training to take at most half a NumPy trainer's time, and
;; plain JavaScript cannot (docs/scaling.md). Here the eight lanes of a block (eight samples) are
;; four f64x2 vectors, loads have no bounds checks, and tanh is computed two lanes at a time.
;;
;; Bit-identical to the JavaScript fused step, hence to forward + getGradients: every lane does the
;; same IEEE operations in the same order as the JavaScript (f64 arithmetic in WebAssembly is exact
;; IEEE rounding, and standard SIMD has no fused multiply-add, so nothing is contracted). Only
;; independent work is reordered: two rows, or two entries, share a loop to give the processor
;; eight independent chains of additions; each chain still adds its terms in the JavaScript order.
;;
;; Layout (all f64, byte offsets chosen by the loader, `wasmLanes` in reference/rnn.ts): a "lane row"
;; is 8 doubles (64 bytes), the eight samples' values of one quantity.
;;   U [i][j] (H×F), W [i][k] (H×H), B [i], V [i]: the parameters, row-major
;;   X [t][j][lane], h, l [t][i][lane], g, pre [i][lane], yHat, ys [lane]
;;   sumU, sumW, sumB, sumV: the batch's gradient sums, row-major like the parameters
;;   ones [lane]: 1.0 each
;;
;; Assembled by reference/wasm/assemble.ts (wabt) into a generated block at the end of
;; reference/rnn.ts; edit this file, then run `npx tsx reference/wasm/assemble.ts`.
(module
  (memory (export "memory") 1)

  ;; Sizes and offsets of the current layout, set by $layout.
  (global $H (mut i32) (i32.const 0))
  (global $F (mut i32) (i32.const 0))
  (global $T (mut i32) (i32.const 0))
  (global $U (mut i32) (i32.const 0))
  (global $W (mut i32) (i32.const 0))
  (global $B (mut i32) (i32.const 0))
  (global $V (mut i32) (i32.const 0))
  (global $X (mut i32) (i32.const 0))
  (global $h (mut i32) (i32.const 0))
  (global $l (mut i32) (i32.const 0))
  (global $g (mut i32) (i32.const 0))
  (global $pre (mut i32) (i32.const 0))
  (global $yHat (mut i32) (i32.const 0))
  (global $ys (mut i32) (i32.const 0))
  (global $sumU (mut i32) (i32.const 0))
  (global $sumW (mut i32) (i32.const 0))
  (global $sumB (mut i32) (i32.const 0))
  (global $sumV (mut i32) (i32.const 0))
  (global $ones (mut i32) (i32.const 0))

  (func (export "layout")
    (param $H i32) (param $F i32) (param $T i32)
    (param $U i32) (param $W i32) (param $B i32) (param $V i32) (param $X i32) (param $h i32)
    (param $l i32) (param $g i32) (param $pre i32) (param $yHat i32) (param $ys i32)
    (param $sumU i32) (param $sumW i32) (param $sumB i32) (param $sumV i32) (param $ones i32)
    (global.set $H (local.get $H))
    (global.set $F (local.get $F))
    (global.set $T (local.get $T))
    (global.set $U (local.get $U))
    (global.set $W (local.get $W))
    (global.set $B (local.get $B))
    (global.set $V (local.get $V))
    (global.set $X (local.get $X))
    (global.set $h (local.get $h))
    (global.set $l (local.get $l))
    (global.set $g (local.get $g))
    (global.set $pre (local.get $pre))
    (global.set $yHat (local.get $yHat))
    (global.set $ys (local.get $ys))
    (global.set $sumU (local.get $sumU))
    (global.set $sumW (local.get $sumW))
    (global.set $sumB (local.get $sumB))
    (global.set $sumV (local.get $sumV))
    (global.set $ones (local.get $ones)))

  ;; out[r] += Σ_n M[r·rowStride + n·colStride] · S[n] over n = 0…cols-1 in that order, for the
  ;; lane rows r < rows (addRowProducts in rnn.ts; strides in bytes). Rows two at a time: the
  ;; eight running sums (2 rows × 4 vectors) are independent chains, and the S loads are shared.
  (func $rowProducts
    (param $out i32) (param $M i32) (param $rowStride i32) (param $colStride i32)
    (param $S i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $o i32) (local $m0 i32) (local $m1 i32) (local $p i32) (local $n i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $w0 v128) (local $w1 v128) (local $s v128)
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $rows)))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 6))))
        (local.set $a0 (v128.load offset=0 (local.get $o)))
        (local.set $a1 (v128.load offset=16 (local.get $o)))
        (local.set $a2 (v128.load offset=32 (local.get $o)))
        (local.set $a3 (v128.load offset=48 (local.get $o)))
        (local.set $b0 (v128.load offset=64 (local.get $o)))
        (local.set $b1 (v128.load offset=80 (local.get $o)))
        (local.set $b2 (v128.load offset=96 (local.get $o)))
        (local.set $b3 (v128.load offset=112 (local.get $o)))
        (local.set $m0 (i32.add (local.get $M) (i32.mul (local.get $r) (local.get $rowStride))))
        (local.set $m1 (i32.add (local.get $m0) (local.get $rowStride)))
        (local.set $p (local.get $S))
        (local.set $n (local.get $cols))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.eqz (local.get $n)))
            (local.set $w0 (f64x2.splat (f64.load (local.get $m0))))
            (local.set $w1 (f64x2.splat (f64.load (local.get $m1))))
            (local.set $s (v128.load offset=0 (local.get $p)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w0) (local.get $s))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w1) (local.get $s))))
            (local.set $s (v128.load offset=16 (local.get $p)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w0) (local.get $s))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w1) (local.get $s))))
            (local.set $s (v128.load offset=32 (local.get $p)))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w0) (local.get $s))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $w1) (local.get $s))))
            (local.set $s (v128.load offset=48 (local.get $p)))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w0) (local.get $s))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $w1) (local.get $s))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $m0 (i32.add (local.get $m0) (local.get $colStride)))
            (local.set $m1 (i32.add (local.get $m1) (local.get $colStride)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $col)))
        (v128.store offset=0 (local.get $o) (local.get $a0))
        (v128.store offset=16 (local.get $o) (local.get $a1))
        (v128.store offset=32 (local.get $o) (local.get $a2))
        (v128.store offset=48 (local.get $o) (local.get $a3))
        (v128.store offset=64 (local.get $o) (local.get $b0))
        (v128.store offset=80 (local.get $o) (local.get $b1))
        (v128.store offset=96 (local.get $o) (local.get $b2))
        (v128.store offset=112 (local.get $o) (local.get $b3))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $pairs)))
    ;; An odd last row alone.
    (if (i32.lt_u (local.get $r) (local.get $rows))
      (then
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 6))))
        (local.set $a0 (v128.load offset=0 (local.get $o)))
        (local.set $a1 (v128.load offset=16 (local.get $o)))
        (local.set $a2 (v128.load offset=32 (local.get $o)))
        (local.set $a3 (v128.load offset=48 (local.get $o)))
        (local.set $m0 (i32.add (local.get $M) (i32.mul (local.get $r) (local.get $rowStride))))
        (local.set $p (local.get $S))
        (local.set $n (local.get $cols))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.eqz (local.get $n)))
            (local.set $w0 (f64x2.splat (f64.load (local.get $m0))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w0) (v128.load offset=0 (local.get $p)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w0) (v128.load offset=16 (local.get $p)))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w0) (v128.load offset=32 (local.get $p)))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w0) (v128.load offset=48 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $m0 (i32.add (local.get $m0) (local.get $colStride)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $col)))
        (v128.store offset=0 (local.get $o) (local.get $a0))
        (v128.store offset=16 (local.get $o) (local.get $a1))
        (v128.store offset=32 (local.get $o) (local.get $a2))
        (v128.store offset=48 (local.get $o) (local.get $a3)))))

  ;; dst = tanh(src) for `count` lane rows (src ≠ dst: the second pass reads src again), exactly
  ;; rnn.ts's `tanh` and `tanhFromExp` per lane: each branch computed with the same operations in
  ;; the same order, then each lane's branch selected. First the polynomial branch of every vector,
  ;; without a branch, so that the processor overlaps the independent evaluations; then the
  ;; exponential branch, only for the vectors with a lane |x| ≥ 0.55 (88 % of the training's calls
  ;; are below). Exported for tests/reference/wasm-fused-step.test.ts.
  (func $tanhRows (export "tanhRows") (param $src i32) (param $dst i32) (param $count i32)
    (local $end i32) (local $p i32) (local $d i32) (local $x v128) (local $z v128) (local $z2 v128)
    (local $z4 v128) (local $fit v128) (local $res v128) (local $large v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 6))))
    (local.set $p (local.get $src))
    (local.set $d (local.get $dst))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $z (f64x2.mul (local.get $x) (local.get $x)))
        ;; |x| < 0.55: x + x·(z·R(z)), R by Estrin's scheme as in rnn.ts:
        ;; fit = ((r01 + r23·z2) + (r45 + r67·z2)·z4) + (r89 - c10·z2)·(z4·z4)
        (local.set $z2 (f64x2.mul (local.get $z) (local.get $z)))
        (local.set $z4 (f64x2.mul (local.get $z2) (local.get $z2)))
        (local.set $fit
          (f64x2.add
            (f64x2.add
              (f64x2.add
                (f64x2.add (v128.const f64x2 -0.333333333333333 -0.333333333333333)
                  (f64x2.mul (v128.const f64x2 0.13333333333326547 0.13333333333326547) (local.get $z)))
                (f64x2.mul
                  (f64x2.add (v128.const f64x2 -0.053968253963733205 -0.053968253963733205)
                    (f64x2.mul (v128.const f64x2 0.021869488385349 0.021869488385349) (local.get $z)))
                  (local.get $z2)))
              (f64x2.mul
                (f64x2.add
                  (f64x2.add (v128.const f64x2 -0.00886323259611905 -0.00886323259611905)
                    (f64x2.mul (v128.const f64x2 0.003592091997605336 0.003592091997605336) (local.get $z)))
                  (f64x2.mul
                    (f64x2.add (v128.const f64x2 -0.001455542732049983 -0.001455542732049983)
                      (f64x2.mul (v128.const f64x2 0.0005884443193579852 0.0005884443193579852) (local.get $z)))
                    (local.get $z2)))
                (local.get $z4)))
            (f64x2.mul
              (f64x2.sub
                (f64x2.add (v128.const f64x2 -0.00023338172884814572 -0.00023338172884814572)
                  (f64x2.mul (v128.const f64x2 8.331734257611354e-5 8.331734257611354e-5) (local.get $z)))
                (f64x2.mul (v128.const f64x2 1.9495565251552225e-5 1.9495565251552225e-5) (local.get $z2)))
              (f64x2.mul (local.get $z4) (local.get $z4)))))
        (local.set $res
          (f64x2.add (local.get $x) (f64x2.mul (local.get $x) (f64x2.mul (local.get $z) (local.get $fit)))))
        ;; z < 2^-54 (|x| < 2^-27, ±0): x itself.
        (local.set $res
          (v128.bitselect (local.get $x) (local.get $res)
            (f64x2.lt (local.get $z) (v128.const f64x2 5.551115123125783e-17 5.551115123125783e-17))))
        (v128.store (local.get $d) (local.get $res))
        ;; not z < 0.55² (NaN included): tanhFromExp's lane
        (local.set $large
          (v128.or (local.get $large)
            (v128.not (f64x2.lt (local.get $z) (v128.const f64x2 0.3025 0.3025)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $next)))
    (if (v128.any_true (local.get $large))
      (then
        (local.set $p (local.get $src))
        (local.set $d (local.get $dst))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $x (v128.load (local.get $p)))
            (if (i32.eqz (i64x2.all_true
                  (f64x2.lt (f64x2.mul (local.get $x) (local.get $x)) (v128.const f64x2 0.3025 0.3025))))
              (then (v128.store (local.get $d) (call $tanhFromExp (local.get $x) (v128.load (local.get $d))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $next))))))

  ;; The lanes of x with x² < 0.3025 keep `res` (the polynomial branch's tanh); the others get
  ;; tanhFromExp: 1 - 2/(e^{2|x|} + 1) with its rounding errors carried (Fast2Sum).
  (func $tanhFromExp (param $x v128) (param $res v128) (result v128)
    (local $a v128) (local $s v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128)
    (local $fit v128) (local $expm1R v128) (local $expHi v128) (local $expLo v128) (local $power v128)
    (local $exp2a v128) (local $exp2aLo v128) (local $den v128) (local $denLo v128) (local $q v128)
    (local $resHi v128) (local $resLo v128) (local $big v128)
    (local.set $a (f64x2.abs (local.get $x)))
    (local.set $s (f64x2.add (local.get $a) (local.get $a)))
    ;; k = (s·log2(e) + 0.5) | 0: truncation of a positive value (2 ≤ k ≤ 55 where it is used)
    (local.set $k
      (f64x2.trunc
        (f64x2.add (f64x2.mul (local.get $s) (v128.const f64x2 1.4426950408889634 1.4426950408889634))
          (v128.const f64x2 0.5 0.5))))
    ;; r = s - k·LN2_HI - k·LN2_LO
    (local.set $r
      (f64x2.sub
        (f64x2.sub (local.get $s)
          (f64x2.mul (local.get $k) (v128.const f64x2 6.9314718036912382e-1 6.9314718036912382e-1)))
        (f64x2.mul (local.get $k) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
    ;; fit = ((p01 + p23·r2) + ((p45 + (p67)·r2))·r4) + p89·(r4·r4), grouped as rnn.ts writes it
    (local.set $fit
      (f64x2.add
        (f64x2.add
          (f64x2.add
            (f64x2.add (v128.const f64x2 0.5000000000000013 0.5000000000000013)
              (f64x2.mul (v128.const f64x2 0.16666666666666685 0.16666666666666685) (local.get $r)))
            (f64x2.mul
              (f64x2.add (v128.const f64x2 0.04166666666651065 0.04166666666651065)
                (f64x2.mul (v128.const f64x2 0.008333333333316192 0.008333333333316192) (local.get $r)))
              (local.get $r2)))
          (f64x2.mul
            (f64x2.add
              (f64x2.add (v128.const f64x2 0.0013888888948140666 0.0013888888948140666)
                (f64x2.mul (v128.const f64x2 0.00019841269898232815 0.00019841269898232815) (local.get $r)))
              (f64x2.mul
                (f64x2.add (v128.const f64x2 2.4801488859101368e-5 2.4801488859101368e-5)
                  (f64x2.mul (v128.const f64x2 2.7557233186138298e-6 2.7557233186138298e-6) (local.get $r)))
                (local.get $r2)))
            (local.get $r4)))
        (f64x2.mul
          (f64x2.add (v128.const f64x2 2.7631647037968626e-7 2.7631647037968626e-7)
            (f64x2.mul (v128.const f64x2 2.5112575199224824e-8 2.5112575199224824e-8) (local.get $r)))
          (f64x2.mul (local.get $r4) (local.get $r4)))))
    (local.set $expm1R (f64x2.add (local.get $r) (f64x2.mul (local.get $r2) (local.get $fit))))
    (local.set $expHi (f64x2.add (v128.const f64x2 1 1) (local.get $expm1R)))
    (local.set $expLo
      (f64x2.add (f64x2.sub (v128.const f64x2 1 1) (local.get $expHi)) (local.get $expm1R)))
    ;; 2^k from its exponent bits ((k + 1023) << 52), exact like POWERS_OF_TWO[k]
    (local.set $power
      (i64x2.shl
        (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k)))
          (v128.const i64x2 1023 1023))
        (i32.const 52)))
    (local.set $exp2a (f64x2.mul (local.get $expHi) (local.get $power)))
    (local.set $exp2aLo (f64x2.mul (local.get $expLo) (local.get $power)))
    (local.set $den (f64x2.add (local.get $exp2a) (v128.const f64x2 1 1)))
    (local.set $denLo
      (f64x2.add
        (f64x2.add (f64x2.sub (local.get $exp2a) (local.get $den)) (v128.const f64x2 1 1))
        (local.get $exp2aLo)))
    (local.set $q (f64x2.div (v128.const f64x2 2 2) (local.get $den)))
    (local.set $resHi (f64x2.sub (v128.const f64x2 1 1) (local.get $q)))
    (local.set $resLo (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $resHi)) (local.get $q)))
    ;; result = resHi + (resLo + q·q·denLo·0.5), negated for x < 0
    (local.set $big
      (f64x2.add (local.get $resHi)
        (f64x2.add (local.get $resLo)
          (f64x2.mul
            (f64x2.mul (f64x2.mul (local.get $q) (local.get $q)) (local.get $denLo))
            (v128.const f64x2 0.5 0.5)))))
    (local.set $big
      (v128.bitselect (f64x2.neg (local.get $big)) (local.get $big)
        (f64x2.lt (local.get $x) (v128.const f64x2 0 0))))
    ;; |x| ≥ 19.1: ±1 by the sign of x; NaN: x itself
    (local.set $big
      (v128.bitselect (local.get $big)
        (v128.bitselect
          (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1)
            (f64x2.lt (local.get $x) (v128.const f64x2 0 0)))
          (local.get $x)
          (f64x2.eq (local.get $a) (local.get $a)))
        (f64x2.lt (local.get $a) (v128.const f64x2 19.1 19.1))))
    (v128.bitselect (local.get $res) (local.get $big)
      (f64x2.lt (f64x2.mul (local.get $x) (local.get $x)) (v128.const f64x2 0.3025 0.3025))))

  ;; h_t = tanh(b + U x_t + W h_{t-1}) for every t and lane, then yHat = c + Σ_i v_i h_τ[i]
  ;; (forwardLanes and the prediction loop in rnn.ts).
  (func (export "forward") (param $c f64)
    (local $t i32) (local $i i32) (local $o i32) (local $bi v128) (local $last i32) (local $vi v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $t) (global.get $T)))
        ;; pre[i] = b_i in every lane
        (local.set $i (i32.const 0))
        (block $filled
          (loop $fill
            (br_if $filled (i32.ge_u (local.get $i) (global.get $H)))
            (local.set $bi (f64x2.splat (f64.load (i32.add (global.get $B) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $o (i32.add (global.get $pre) (i32.shl (local.get $i) (i32.const 6))))
            (v128.store offset=0 (local.get $o) (local.get $bi))
            (v128.store offset=16 (local.get $o) (local.get $bi))
            (v128.store offset=32 (local.get $o) (local.get $bi))
            (v128.store offset=48 (local.get $o) (local.get $bi))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $fill)))
        ;; + U x_t (rows of U, stride F doubles), then + W h_{t-1} after the first step
        (call $rowProducts (global.get $pre) (global.get $U) (i32.shl (global.get $F) (i32.const 3)) (i32.const 8)
          (i32.add (global.get $X) (i32.mul (local.get $t) (i32.shl (global.get $F) (i32.const 6))))
          (global.get $H) (global.get $F))
        (if (local.get $t)
          (then
            (call $rowProducts (global.get $pre) (global.get $W) (i32.shl (global.get $H) (i32.const 3)) (i32.const 8)
              (i32.add (global.get $h) (i32.mul (i32.sub (local.get $t) (i32.const 1)) (i32.shl (global.get $H) (i32.const 6))))
              (global.get $H) (global.get $H))))
        (call $tanhRows (global.get $pre)
          (i32.add (global.get $h) (i32.mul (local.get $t) (i32.shl (global.get $H) (i32.const 6))))
          (global.get $H))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $step)))
    ;; yHat = c, then += v_i · h_τ[i] for i = 0…H-1
    (local.set $last (i32.add (global.get $h) (i32.mul (i32.sub (global.get $T) (i32.const 1)) (i32.shl (global.get $H) (i32.const 6)))))
    (local.set $y0 (f64x2.splat (local.get $c)))
    (local.set $y1 (local.get $y0))
    (local.set $y2 (local.get $y0))
    (local.set $y3 (local.get $y0))
    (local.set $i (i32.const 0))
    (block $summed
      (loop $term
        (br_if $summed (i32.ge_u (local.get $i) (global.get $H)))
        (local.set $vi (f64x2.splat (f64.load (i32.add (global.get $V) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $o (i32.add (local.get $last) (i32.shl (local.get $i) (i32.const 6))))
        (local.set $y0 (f64x2.add (local.get $y0) (f64x2.mul (local.get $vi) (v128.load offset=0 (local.get $o)))))
        (local.set $y1 (f64x2.add (local.get $y1) (f64x2.mul (local.get $vi) (v128.load offset=16 (local.get $o)))))
        (local.set $y2 (f64x2.add (local.get $y2) (f64x2.mul (local.get $vi) (v128.load offset=32 (local.get $o)))))
        (local.set $y3 (f64x2.add (local.get $y3) (f64x2.mul (local.get $vi) (v128.load offset=48 (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $term)))
    (v128.store offset=0 (global.get $yHat) (local.get $y0))
    (v128.store offset=16 (global.get $yHat) (local.get $y1))
    (v128.store offset=32 (global.get $yHat) (local.get $y2))
    (v128.store offset=48 (global.get $yHat) (local.get $y3)))

  ;; l = (1 - h²) ⊙ g over H lane rows (localGradients in rnn.ts).
  (func $localGradients (param $h i32) (param $g i32) (param $l i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $g) (i32.shl (global.get $H) (i32.const 6))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $v (v128.load (local.get $h)))
        (v128.store (local.get $l)
          (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $v) (local.get $v)))
            (v128.load (local.get $g))))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $l (i32.add (local.get $l) (i32.const 16)))
        (br $next))))

  ;; sums[entry] += lane 0, lane 1, …, lane real-1 of v0…v3 (the eight lanes in order), one at a
  ;; time: each sample's gradient joins the batch's sum in sample order.
  (func $addLanes (param $entry i32) (param $real i32) (param $v0 v128) (param $v1 v128) (param $v2 v128) (param $v3 v128)
    (local $sum f64)
    (local.set $sum (f64.add (f64.load (local.get $entry)) (f64x2.extract_lane 0 (local.get $v0))))
    (if (i32.gt_u (local.get $real) (i32.const 1))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 1 (local.get $v0))))))
    (if (i32.gt_u (local.get $real) (i32.const 2))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $v1))))))
    (if (i32.gt_u (local.get $real) (i32.const 3))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 1 (local.get $v1))))))
    (if (i32.gt_u (local.get $real) (i32.const 4))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $v2))))))
    (if (i32.gt_u (local.get $real) (i32.const 5))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 1 (local.get $v2))))))
    (if (i32.gt_u (local.get $real) (i32.const 6))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $v3))))))
    (if (i32.gt_u (local.get $real) (i32.const 7))
      (then (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 1 (local.get $v3))))))
    (f64.store (local.get $entry) (local.get $sum)))

  ;; For e < count: sums[e] += Σ_t a_t · b_{t-shift}[e] of each real lane in turn, the sum over
  ;; t = shift…T-1 from 0 (addOuterSums in rnn.ts). a_t at a + t·aStride; entry e of b at
  ;; b + e·64 + (t-shift)·bStride. Entries two at a time: eight independent chains, a shared.
  (func $outerSums
    (param $sums i32) (param $a i32) (param $aStride i32) (param $b i32) (param $bStride i32)
    (param $shift i32) (param $count i32) (param $real i32)
    (local $e i32) (local $p i32) (local $q i32) (local $t i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_u (i32.add (local.get $e) (i32.const 2)) (local.get $count)))
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $s1 (v128.const f64x2 0 0))
        (local.set $s2 (v128.const f64x2 0 0))
        (local.set $s3 (v128.const f64x2 0 0))
        (local.set $u0 (v128.const f64x2 0 0))
        (local.set $u1 (v128.const f64x2 0 0))
        (local.set $u2 (v128.const f64x2 0 0))
        (local.set $u3 (v128.const f64x2 0 0))
        (local.set $p (i32.add (local.get $a) (i32.mul (local.get $shift) (local.get $aStride))))
        (local.set $q (i32.add (local.get $b) (i32.shl (local.get $e) (i32.const 6))))
        (local.set $t (local.get $shift))
        (block $tDone
          (loop $overT
            (br_if $tDone (i32.ge_u (local.get $t) (global.get $T)))
            (local.set $a0 (v128.load offset=0 (local.get $p)))
            (local.set $a1 (v128.load offset=16 (local.get $p)))
            (local.set $a2 (v128.load offset=32 (local.get $p)))
            (local.set $a3 (v128.load offset=48 (local.get $p)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $a0) (v128.load offset=0 (local.get $q)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $a1) (v128.load offset=16 (local.get $q)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $a2) (v128.load offset=32 (local.get $q)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $a3) (v128.load offset=48 (local.get $q)))))
            (local.set $u0 (f64x2.add (local.get $u0) (f64x2.mul (local.get $a0) (v128.load offset=64 (local.get $q)))))
            (local.set $u1 (f64x2.add (local.get $u1) (f64x2.mul (local.get $a1) (v128.load offset=80 (local.get $q)))))
            (local.set $u2 (f64x2.add (local.get $u2) (f64x2.mul (local.get $a2) (v128.load offset=96 (local.get $q)))))
            (local.set $u3 (f64x2.add (local.get $u3) (f64x2.mul (local.get $a3) (v128.load offset=112 (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (local.get $aStride)))
            (local.set $q (i32.add (local.get $q) (local.get $bStride)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $overT)))
        (call $addLanes (i32.add (local.get $sums) (i32.shl (local.get $e) (i32.const 3))) (local.get $real)
          (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3))
        (call $addLanes (i32.add (local.get $sums) (i32.shl (i32.add (local.get $e) (i32.const 1)) (i32.const 3)))
          (local.get $real)
          (local.get $u0) (local.get $u1) (local.get $u2) (local.get $u3))
        (local.set $e (i32.add (local.get $e) (i32.const 2)))
        (br $pairs)))
    ;; An odd last entry alone.
    (if (i32.lt_u (local.get $e) (local.get $count))
      (then
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $s1 (v128.const f64x2 0 0))
        (local.set $s2 (v128.const f64x2 0 0))
        (local.set $s3 (v128.const f64x2 0 0))
        (local.set $p (i32.add (local.get $a) (i32.mul (local.get $shift) (local.get $aStride))))
        (local.set $q (i32.add (local.get $b) (i32.shl (local.get $e) (i32.const 6))))
        (local.set $t (local.get $shift))
        (block $tDone
          (loop $overT
            (br_if $tDone (i32.ge_u (local.get $t) (global.get $T)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load offset=0 (local.get $p)) (v128.load offset=0 (local.get $q)))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=32 (local.get $p)) (v128.load offset=32 (local.get $q)))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=48 (local.get $p)) (v128.load offset=48 (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (local.get $aStride)))
            (local.set $q (i32.add (local.get $q) (local.get $bStride)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $overT)))
        (call $addLanes (i32.add (local.get $sums) (i32.shl (local.get $e) (i32.const 3))) (local.get $real)
          (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3)))))

  ;; ∂L/∂h_τ = 2(ŷ - y) v, ∂L/∂h_t = Wᵀ l_{t+1}, the local gradients l_t, then each parameter's
  ;; sums over t into the batch sums, lanes 0…real-1 in order (the rest of fusedTrainingStep's block).
  (func (export "backward") (param $real i32)
    (local $i i32) (local $t i32) (local $o i32) (local $vi v128) (local $rowBytes i32) (local $lane i32)
    (local $og0 v128) (local $og1 v128) (local $og2 v128) (local $og3 v128)
    (local $last i32) (local $outputGrad f64) (local $entry i32)
    (local.set $rowBytes (i32.shl (global.get $H) (i32.const 6)))
    (local.set $last (i32.add (global.get $h) (i32.mul (i32.sub (global.get $T) (i32.const 1)) (local.get $rowBytes))))
    ;; outputGrad = 2·(yHat - y) per lane; g[i] = outputGrad · v_i
    (local.set $og0 (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (v128.load offset=0 (global.get $yHat)) (v128.load offset=0 (global.get $ys)))))
    (local.set $og1 (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (v128.load offset=16 (global.get $yHat)) (v128.load offset=16 (global.get $ys)))))
    (local.set $og2 (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (v128.load offset=32 (global.get $yHat)) (v128.load offset=32 (global.get $ys)))))
    (local.set $og3 (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (v128.load offset=48 (global.get $yHat)) (v128.load offset=48 (global.get $ys)))))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (global.get $H)))
        (local.set $vi (f64x2.splat (f64.load (i32.add (global.get $V) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $o (i32.add (global.get $g) (i32.shl (local.get $i) (i32.const 6))))
        (v128.store offset=0 (local.get $o) (f64x2.mul (local.get $og0) (local.get $vi)))
        (v128.store offset=16 (local.get $o) (f64x2.mul (local.get $og1) (local.get $vi)))
        (v128.store offset=32 (local.get $o) (f64x2.mul (local.get $og2) (local.get $vi)))
        (v128.store offset=48 (local.get $o) (f64x2.mul (local.get $og3) (local.get $vi)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (call $localGradients (local.get $last) (global.get $g)
      (i32.add (global.get $l) (i32.mul (i32.sub (global.get $T) (i32.const 1)) (local.get $rowBytes))))
    ;; t = T-2 … 0: g = 0 + Σ_i W[i][k] l_{t+1}[i] (columns of W: row stride 8 bytes, column stride H doubles)
    (local.set $t (i32.sub (global.get $T) (i32.const 2)))
    (block $done
      (loop $back
        (br_if $done (i32.lt_s (local.get $t) (i32.const 0)))
        (memory.fill (global.get $g) (i32.const 0) (local.get $rowBytes))
        (call $rowProducts (global.get $g) (global.get $W) (i32.const 8) (i32.shl (global.get $H) (i32.const 3))
          (i32.add (global.get $l) (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $rowBytes)))
          (global.get $H) (global.get $H))
        (call $localGradients (i32.add (global.get $h) (i32.mul (local.get $t) (local.get $rowBytes))) (global.get $g)
          (i32.add (global.get $l) (i32.mul (local.get $t) (local.get $rowBytes))))
        (local.set $t (i32.sub (local.get $t) (i32.const 1)))
        (br $back)))
    ;; Row i of ∂L/∂W pairs l_t[i] with h_{t-1} (t ≥ 1), of ∂L/∂U with x_t
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $i) (global.get $H)))
        (call $outerSums (i32.add (global.get $sumW) (i32.mul (local.get $i) (i32.shl (global.get $H) (i32.const 3))))
          (i32.add (global.get $l) (i32.shl (local.get $i) (i32.const 6))) (local.get $rowBytes)
          (global.get $h) (local.get $rowBytes) (i32.const 1) (global.get $H) (local.get $real))
        (call $outerSums (i32.add (global.get $sumU) (i32.mul (local.get $i) (i32.shl (global.get $F) (i32.const 3))))
          (i32.add (global.get $l) (i32.shl (local.get $i) (i32.const 6))) (local.get $rowBytes)
          (global.get $X) (i32.shl (global.get $F) (i32.const 6)) (i32.const 0) (global.get $F) (local.get $real))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
    ;; ∂L/∂b: Σ_t 1 · l_t[i] (rnn.ts multiplies l_t by ONES: x·1 = x exactly, either way round), with
    ;; ones as the shared factor (stride 0) and entry i of l at l + i·64
    (call $outerSums (global.get $sumB) (global.get $ones) (i32.const 0) (global.get $l) (local.get $rowBytes)
      (i32.const 0) (global.get $H) (local.get $real))
    ;; ∂L/∂v: sumV[i] += 2(ŷ - y) h_τ[i], lane by lane, then i
    (block $lanesDone
      (loop $lanes
        (br_if $lanesDone (i32.ge_u (local.get $lane) (local.get $real)))
        (local.set $outputGrad
          (f64.mul (f64.const 2)
            (f64.sub (f64.load (i32.add (global.get $yHat) (i32.shl (local.get $lane) (i32.const 3))))
              (f64.load (i32.add (global.get $ys) (i32.shl (local.get $lane) (i32.const 3)))))))
        (local.set $i (i32.const 0))
        (block $entriesDone
          (loop $entries
            (br_if $entriesDone (i32.ge_u (local.get $i) (global.get $H)))
            (local.set $entry (i32.add (global.get $sumV) (i32.shl (local.get $i) (i32.const 3))))
            (f64.store (local.get $entry)
              (f64.add (f64.load (local.get $entry))
                (f64.mul (local.get $outputGrad)
                  (f64.load
                    (i32.add (local.get $last)
                      (i32.add (i32.shl (local.get $i) (i32.const 6)) (i32.shl (local.get $lane) (i32.const 3))))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $entries)))
        (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
        (br $lanes))))
)
