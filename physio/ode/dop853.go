package ode

import "math"

// Coefficients of DOP853 (Hairer, Nørsett & Wanner 1993, §II.10; Hairer's
// code dop853.f): the Dormand & Prince (1981) 8th-order pair, stages qa<s>_<j>
// at nodes qc<s>, weights qb<j>, Hairer's 8(5,3) error estimator (qer<j> for
// the 5th-order part; qb − qbhh for the 3rd-order part), the three extra
// stages 14–16 and the 7th-order dense-output coefficients qd<4..7>_<j>.
const (
	qa2_1   = 5.26001519587677318785587544488e-2
	qa3_1   = 1.97250569845378994544595329183e-2
	qa3_2   = 5.91751709536136983633785987549e-2
	qa4_1   = 2.95875854768068491816892993775e-2
	qa4_3   = 8.87627564304205475450678981324e-2
	qa5_1   = 2.41365134159266685502369798665e-1
	qa5_3   = -8.84549479328286085344864962717e-1
	qa5_4   = 9.24834003261792003115737966543e-1
	qa6_1   = 3.7037037037037037037037037037e-2
	qa6_4   = 1.70828608729473871279604482173e-1
	qa6_5   = 1.25467687566822425016691814123e-1
	qa7_1   = 3.7109375e-2
	qa7_4   = 1.70252211019544039314978060272e-1
	qa7_5   = 6.02165389804559606850219397283e-2
	qa7_6   = -1.7578125e-2
	qa8_1   = 3.70920001185047927108779319836e-2
	qa8_4   = 1.70383925712239993810214054705e-1
	qa8_5   = 1.07262030446373284651809199168e-1
	qa8_6   = -1.53194377486244017527936158236e-2
	qa8_7   = 8.27378916381402288758473766002e-3
	qa9_1   = 6.24110958716075717114429577812e-1
	qa9_4   = -3.36089262944694129406857109825
	qa9_5   = -8.68219346841726006818189891453e-1
	qa9_6   = 2.75920996994467083049415600797e1
	qa9_7   = 2.01540675504778934086186788979e1
	qa9_8   = -4.34898841810699588477366255144e1
	qa10_1  = 4.77662536438264365890433908527e-1
	qa10_4  = -2.48811461997166764192642586468
	qa10_5  = -5.90290826836842996371446475743e-1
	qa10_6  = 2.12300514481811942347288949897e1
	qa10_7  = 1.52792336328824235832596922938e1
	qa10_8  = -3.32882109689848629194453265587e1
	qa10_9  = -2.03312017085086261358222928593e-2
	qa11_1  = -9.3714243008598732571704021658e-1
	qa11_4  = 5.18637242884406370830023853209
	qa11_5  = 1.09143734899672957818500254654
	qa11_6  = -8.14978701074692612513997267357
	qa11_7  = -1.85200656599969598641566180701e1
	qa11_8  = 2.27394870993505042818970056734e1
	qa11_9  = 2.49360555267965238987089396762
	qa11_10 = -3.0467644718982195003823669022
	qa12_1  = 2.27331014751653820792359768449
	qa12_4  = -1.05344954667372501984066689879e1
	qa12_5  = -2.00087205822486249909675718444
	qa12_6  = -1.79589318631187989172765950534e1
	qa12_7  = 2.79488845294199600508499808837e1
	qa12_8  = -2.85899827713502369474065508674
	qa12_9  = -8.87285693353062954433549289258
	qa12_10 = 1.23605671757943030647266201528e1
	qa12_11 = 6.43392746015763530355970484046e-1
	qb1     = 5.42937341165687622380535766363e-2
	qb6     = 4.45031289275240888144113950566
	qb7     = 1.89151789931450038304281599044
	qb8     = -5.8012039600105847814672114227
	qb9     = 3.1116436695781989440891606237e-1
	qb10    = -1.52160949662516078556178806805e-1
	qb11    = 2.01365400804030348374776537501e-1
	qb12    = 4.47106157277725905176885569043e-2
	qa14_1  = 5.61675022830479523392909219681e-2
	qa14_7  = 2.53500210216624811088794765333e-1
	qa14_8  = -2.46239037470802489917441475441e-1
	qa14_9  = -1.24191423263816360469010140626e-1
	qa14_10 = 1.5329179827876569731206322685e-1
	qa14_11 = 8.20105229563468988491666602057e-3
	qa14_12 = 7.56789766054569976138603589584e-3
	qa14_13 = -8.298e-3
	qa15_1  = 3.18346481635021405060768473261e-2
	qa15_6  = 2.83009096723667755288322961402e-2
	qa15_7  = 5.35419883074385676223797384372e-2
	qa15_8  = -5.49237485713909884646569340306e-2
	qa15_11 = -1.08347328697249322858509316994e-4
	qa15_12 = 3.82571090835658412954920192323e-4
	qa15_13 = -3.40465008687404560802977114492e-4
	qa15_14 = 1.41312443674632500278074618366e-1
	qa16_1  = -4.28896301583791923408573538692e-1
	qa16_6  = -4.69762141536116384314449447206
	qa16_7  = 7.68342119606259904184240953878
	qa16_8  = 4.06898981839711007970213554331
	qa16_9  = 3.56727187455281109270669543021e-1
	qa16_13 = -1.39902416515901462129418009734e-3
	qa16_14 = 2.9475147891527723389556272149
	qa16_15 = -9.15095847217987001081870187138
	qc2     = 0.526001519587677318785587544488e-01
	qc3     = 0.789002279381515978178381316732e-01
	qc4     = 0.118350341907227396726757197510
	qc5     = 0.281649658092772603273242802490
	qc6     = 1.0 / 3
	qc7     = 0.25
	qc8     = 4.0 / 13
	qc9     = 127.0 / 195
	qc10    = 0.6
	qc11    = 6.0 / 7
	qc12    = 1
	qc14    = 0.1
	qc15    = 0.2
	qc16    = 7.0 / 9
	qer1    = 0.1312004499419488073250102996e-1
	qer6    = -0.1225156446376204440720569753e1
	qer7    = -0.4957589496572501915214079952
	qer8    = 0.1664377182454986536961530415e1
	qer9    = -0.3503288487499736816886487290
	qer10   = 0.3341791187130174790297318841
	qer11   = 0.8192320648511571246570742613e-1
	qer12   = -0.2235530786388629525884427845e-1
	qbhh1   = 0.244094488188976377952755905512
	qbhh2   = 0.733846688281611857341361741547
	qbhh3   = 0.220588235294117647058823529412e-1
	qd4_1   = -0.84289382761090128651353491142e1
	qd4_6   = 0.56671495351937776962531783590
	qd4_7   = -0.30689499459498916912797304727e1
	qd4_8   = 0.23846676565120698287728149680e1
	qd4_9   = 0.21170345824450282767155149946e1
	qd4_10  = -0.87139158377797299206789907490
	qd4_11  = 0.22404374302607882758541771650e1
	qd4_12  = 0.63157877876946881815570249290
	qd4_13  = -0.88990336451333310820698117400e-1
	qd4_14  = 0.18148505520854727256656404962e2
	qd4_15  = -0.91946323924783554000451984436e1
	qd4_16  = -0.44360363875948939664310572000e1
	qd5_1   = 0.10427508642579134603413151009e2
	qd5_6   = 0.24228349177525818288430175319e3
	qd5_7   = 0.16520045171727028198505394887e3
	qd5_8   = -0.37454675472269020279518312152e3
	qd5_9   = -0.22113666853125306036270938578e2
	qd5_10  = 0.77334326684722638389603898808e1
	qd5_11  = -0.30674084731089398182061213626e2
	qd5_12  = -0.93321305264302278729567221706e1
	qd5_13  = 0.15697238121770843886131091075e2
	qd5_14  = -0.31139403219565177677282850411e2
	qd5_15  = -0.93529243588444783865713862664e1
	qd5_16  = 0.35816841486394083752465898540e2
	qd6_1   = 0.19985053242002433820987653617e2
	qd6_6   = -0.38703730874935176555105901742e3
	qd6_7   = -0.18917813819516756882830838328e3
	qd6_8   = 0.52780815920542364900561016686e3
	qd6_9   = -0.11573902539959630126141871134e2
	qd6_10  = 0.68812326946963000169666922661e1
	qd6_11  = -0.10006050966910838403183860980e1
	qd6_12  = 0.77771377980534432092869265740
	qd6_13  = -0.27782057523535084065932004339e1
	qd6_14  = -0.60196695231264120758267380846e2
	qd6_15  = 0.84320405506677161018159903784e2
	qd6_16  = 0.11992291136182789328035130030e2
	qd7_1   = -0.25693933462703749003312586129e2
	qd7_6   = -0.15418974869023643374053993627e3
	qd7_7   = -0.23152937917604549567536039109e3
	qd7_8   = 0.35763911791061412378285349910e3
	qd7_9   = 0.93405324183624310003907691704e2
	qd7_10  = -0.37458323136451633156875139351e2
	qd7_11  = 0.10409964950896230045147246184e3
	qd7_12  = 0.29840293426660503123344363579e2
	qd7_13  = -0.43533456590011143754432175058e2
	qd7_14  = 0.96324553959188282948394950600e2
	qd7_15  = -0.39177261675615439165231486172e2
	qd7_16  = -0.14972683625798562581422125276e3
)

// Dop853 integrates one system with Dormand and Prince's explicit 8th-order
// Runge–Kutta pair as in Hairer's DOP853 (Hairer et al. 1993, §II.10): 12
// stages per step (the last is reused as the next step's first), the 8(5,3)
// error estimate, and 7th-order dense output built only for steps that hold an
// output time or an event (3 extra stages). At tight tolerances (1e-8 and
// below) it takes steps several times longer than DOPRI5. Reset, Integrate
// and events work as for Dopri5.
type Dop853 struct {
	F     Func
	Opts  Options
	T     float64
	Y     []float64
	Stats Stats

	n            int
	h            float64
	k            [16][]float64 // stages k1..k16 (k[12] = f at the new point)
	yt, yn       []float64
	rc           [8][]float64 // dense output coefficients of the last step
	tPrev, hPrev float64
	denseOK      bool // rc holds the last step's interpolant
	fsal         bool // k[0] holds f(T, Y)
	g0           []float64
	work         []float64
}

// NewDop853 returns an integrator for an n-dimensional system.
func NewDop853(f Func, n int, opts Options) *Dop853 {
	s := &Dop853{F: f, Opts: opts.withDefaults(), n: n}
	take := arena(n, 28)
	for i := range s.k {
		s.k[i] = take()
	}
	for i := range s.rc {
		s.rc[i] = take()
	}
	s.Y, s.yt, s.yn, s.work = take(), take(), take(), make([]float64, 2*n)
	return s
}

// Reset restarts the integration at (t, y) after a discontinuity; the step
// size learnt so far is kept as the first one to try (SetStep(0) has it
// chosen afresh).
func (s *Dop853) Reset(t float64, y []float64) {
	s.T = t
	copy(s.Y, y)
	s.fsal = false
	s.g0 = nil
}

// SetStep sets the next step size to try (0: chosen automatically).
func (s *Dop853) SetStep(h float64) { s.h = h }

// step computes stages 2–12, the 8th-order solution yn at t+h and k13 =
// f(t+h, yn), from k1 = f(t, y).
func (s *Dop853) step(t, h float64) {
	f, y, yt, yn := s.F, s.Y, s.yt, s.yn
	k1, k2, k3, k4, k5, k6, k7, k8 := s.k[0], s.k[1], s.k[2], s.k[3], s.k[4], s.k[5], s.k[6], s.k[7]
	k9, k10, k11, k12, k13 := s.k[8], s.k[9], s.k[10], s.k[11], s.k[12]
	n := len(y)
	_, _, _, _, _, _, _, _ = k1[n-1], k2[n-1], k3[n-1], k4[n-1], k5[n-1], k6[n-1], k7[n-1], k8[n-1]
	_, _, _, _, _, _, _ = k9[n-1], k10[n-1], k11[n-1], k12[n-1], k13[n-1], yt[n-1], yn[n-1]
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa2_1*k1[i])
	}
	f(t+qc2*h, yt, k2)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa3_1*k1[i]+qa3_2*k2[i])
	}
	f(t+qc3*h, yt, k3)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa4_1*k1[i]+qa4_3*k3[i])
	}
	f(t+qc4*h, yt, k4)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa5_1*k1[i]+qa5_3*k3[i]+qa5_4*k4[i])
	}
	f(t+qc5*h, yt, k5)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa6_1*k1[i]+qa6_4*k4[i]+qa6_5*k5[i])
	}
	f(t+qc6*h, yt, k6)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa7_1*k1[i]+qa7_4*k4[i]+qa7_5*k5[i]+qa7_6*k6[i])
	}
	f(t+qc7*h, yt, k7)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa8_1*k1[i]+qa8_4*k4[i]+qa8_5*k5[i]+qa8_6*k6[i]+qa8_7*k7[i])
	}
	f(t+qc8*h, yt, k8)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa9_1*k1[i]+qa9_4*k4[i]+qa9_5*k5[i]+qa9_6*k6[i]+qa9_7*k7[i]+qa9_8*k8[i])
	}
	f(t+qc9*h, yt, k9)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa10_1*k1[i]+qa10_4*k4[i]+qa10_5*k5[i]+qa10_6*k6[i]+qa10_7*k7[i]+qa10_8*k8[i]+qa10_9*k9[i])
	}
	f(t+qc10*h, yt, k10)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa11_1*k1[i]+qa11_4*k4[i]+qa11_5*k5[i]+qa11_6*k6[i]+qa11_7*k7[i]+qa11_8*k8[i]+qa11_9*k9[i]+qa11_10*k10[i])
	}
	f(t+qc11*h, yt, k11)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa12_1*k1[i]+qa12_4*k4[i]+qa12_5*k5[i]+qa12_6*k6[i]+qa12_7*k7[i]+qa12_8*k8[i]+qa12_9*k9[i]+qa12_10*k10[i]+qa12_11*k11[i])
	}
	f(t+qc12*h, yt, k12)
	for i := 0; i < n; i++ {
		yn[i] = y[i] + h*(qb1*k1[i]+qb6*k6[i]+qb7*k7[i]+qb8*k8[i]+qb9*k9[i]+qb10*k10[i]+qb11*k11[i]+qb12*k12[i])
	}
	f(t+h, yn, k13)
}

// errNorm853 is dop853.f's error norm: the 5th-order estimate damped by the
// 3rd-order one, weighted by atol + rtol·max(|y|, |yn|).
func (s *Dop853) errNorm853(h float64) float64 {
	y, yn := s.Y, s.yn
	k1, k6, k7, k8 := s.k[0], s.k[5], s.k[6], s.k[7]
	k9, k10, k11, k12 := s.k[8], s.k[9], s.k[10], s.k[11]
	n := len(y)
	_, _, _, _, _, _, _, _, _ = k1[n-1], k6[n-1], k7[n-1], k8[n-1], k9[n-1], k10[n-1], k11[n-1], k12[n-1], yn[n-1]
	rtol, atol := s.Opts.RTol, s.Opts.ATol
	var e5, e3 float64
	for i := range y {
		sc := atol + rtol*math.Max(math.Abs(y[i]), math.Abs(yn[i]))
		b := qb1*k1[i] + qb6*k6[i] + qb7*k7[i] + qb8*k8[i] + qb9*k9[i] + qb10*k10[i] + qb11*k11[i] + qb12*k12[i]
		d3 := (b - qbhh1*k1[i] - qbhh2*k9[i] - qbhh3*k12[i]) / sc
		d5 := (qer1*k1[i] + qer6*k6[i] + qer7*k7[i] + qer8*k8[i] + qer9*k9[i] + qer10*k10[i] + qer11*k11[i] + qer12*k12[i]) / sc
		e3 += d3 * d3
		e5 += d5 * d5
	}
	den := e5 + 0.01*e3
	if den <= 0 {
		den = 1
	}
	return math.Abs(h) * e5 / math.Sqrt(den*float64(n))
}

// dense builds the interpolant of the accepted step from (t, Y) to (t+h, yn):
// three extra stages and the coefficients of dop853.f.
func (s *Dop853) dense(t, h float64) {
	f, y, yt, yn := s.F, s.Y, s.yt, s.yn
	k1, k2, k3, k4, k5, k6, k7, k8 := s.k[0], s.k[1], s.k[2], s.k[3], s.k[4], s.k[5], s.k[6], s.k[7]
	k9, k10, k11, k12, k13, k14, k15, k16 := s.k[8], s.k[9], s.k[10], s.k[11], s.k[12], s.k[13], s.k[14], s.k[15]
	n := len(y)
	_, _, _, _, _, _, _, _ = k1[n-1], k2[n-1], k3[n-1], k4[n-1], k5[n-1], k6[n-1], k7[n-1], k8[n-1]
	_, _, _, _, _, _, _, _ = k9[n-1], k10[n-1], k11[n-1], k12[n-1], k13[n-1], k14[n-1], k15[n-1], k16[n-1]
	_, _ = yt[n-1], yn[n-1]
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa14_1*k1[i]+qa14_7*k7[i]+qa14_8*k8[i]+qa14_9*k9[i]+qa14_10*k10[i]+qa14_11*k11[i]+qa14_12*k12[i]+qa14_13*k13[i])
	}
	f(t+qc14*h, yt, k14)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa15_1*k1[i]+qa15_6*k6[i]+qa15_7*k7[i]+qa15_8*k8[i]+qa15_11*k11[i]+qa15_12*k12[i]+qa15_13*k13[i]+qa15_14*k14[i])
	}
	f(t+qc15*h, yt, k15)
	for i := 0; i < n; i++ {
		yt[i] = y[i] + h*(qa16_1*k1[i]+qa16_6*k6[i]+qa16_7*k7[i]+qa16_8*k8[i]+qa16_9*k9[i]+qa16_13*k13[i]+qa16_14*k14[i]+qa16_15*k15[i])
	}
	f(t+qc16*h, yt, k16)
	s.Stats.RHS += 3
	rc0, rc1, rc2, rc3, rc4, rc5, rc6, rc7 := s.rc[0], s.rc[1], s.rc[2], s.rc[3], s.rc[4], s.rc[5], s.rc[6], s.rc[7]
	_, _, _, _, _, _, _, _ = rc0[n-1], rc1[n-1], rc2[n-1], rc3[n-1], rc4[n-1], rc5[n-1], rc6[n-1], rc7[n-1]
	for i := range y {
		dy := yn[i] - y[i]
		bspl := h*k1[i] - dy
		rc0[i] = y[i]
		rc1[i] = dy
		rc2[i] = bspl
		rc3[i] = dy - h*k13[i] - bspl
		rc4[i] = h * (qd4_1*k1[i] + qd4_6*k6[i] + qd4_7*k7[i] + qd4_8*k8[i] + qd4_9*k9[i] + qd4_10*k10[i] + qd4_11*k11[i] + qd4_12*k12[i] + qd4_13*k13[i] + qd4_14*k14[i] + qd4_15*k15[i] + qd4_16*k16[i])
		rc5[i] = h * (qd5_1*k1[i] + qd5_6*k6[i] + qd5_7*k7[i] + qd5_8*k8[i] + qd5_9*k9[i] + qd5_10*k10[i] + qd5_11*k11[i] + qd5_12*k12[i] + qd5_13*k13[i] + qd5_14*k14[i] + qd5_15*k15[i] + qd5_16*k16[i])
		rc6[i] = h * (qd6_1*k1[i] + qd6_6*k6[i] + qd6_7*k7[i] + qd6_8*k8[i] + qd6_9*k9[i] + qd6_10*k10[i] + qd6_11*k11[i] + qd6_12*k12[i] + qd6_13*k13[i] + qd6_14*k14[i] + qd6_15*k15[i] + qd6_16*k16[i])
		rc7[i] = h * (qd7_1*k1[i] + qd7_6*k6[i] + qd7_7*k7[i] + qd7_8*k8[i] + qd7_9*k9[i] + qd7_10*k10[i] + qd7_11*k11[i] + qd7_12*k12[i] + qd7_13*k13[i] + qd7_14*k14[i] + qd7_15*k15[i] + qd7_16*k16[i])
	}
	s.tPrev, s.hPrev, s.denseOK = t, h, true
}

// Dense evaluates the last step's interpolant at t (within that step) into
// out. It is valid only after a step that held an output or an event.
func (s *Dop853) Dense(t float64, out []float64) {
	th := (t - s.tPrev) / s.hPrev
	th1 := 1 - th
	rc := &s.rc
	for i := range out {
		out[i] = rc[0][i] + th*(rc[1][i]+th1*(rc[2][i]+th*(rc[3][i]+th1*(rc[4][i]+th*(rc[5][i]+th1*(rc[6][i]+th*rc[7][i]))))))
	}
}

// Integrate advances from (T, Y) to tEnd. For each time in outTimes (ascending;
// times before T are skipped, T itself is emitted as is) it calls
// emit(i, t, y) with the dense-output state. Event crossings are located on
// the interpolant; non-terminal ones go to onCross (may be nil); a terminal
// one stops the integration there and is returned.
func (s *Dop853) Integrate(tEnd float64, outTimes []float64, emit func(i int, t float64, y []float64), onCross func(Crossing)) (*Crossing, error) {
	o := &s.Opts
	n := s.n
	if n < 1 {
		return nil, &SolveError{s.T, errNoStates}
	}
	if tEnd < s.T {
		return nil, &SolveError{s.T, errBackwards}
	}
	oi := firstOutput(outTimes, s.T, s.Y, emit)
	if tEnd == s.T {
		return nil, nil
	}
	if !s.fsal {
		s.F(s.T, s.Y, s.k[0])
		s.Stats.RHS++
		if !finite(s.k[0]) || !finite(s.Y) {
			return nil, &SolveError{s.T, ErrNonFinite}
		}
		s.fsal = true
	}
	if s.h <= 0 {
		h, err := firstStep(o, s.F, s.T, s.Y, s.k[0], 8, s.work, &s.Stats)
		if err != nil {
			return nil, err
		}
		s.h = h
	}
	if len(o.Events) > 0 && s.g0 == nil {
		s.g0 = eventValues(o.Events, s.T, s.Y)
	}
	if tinyInterval(s.T, tEnd, s.Y, s.k[0], outTimes, oi, emit) {
		s.T, s.fsal = tEnd, false
		return nil, nil
	}
	steps := 0
	rejected := false // the last try was rejected: the next step may not grow
	for s.T < tEnd {
		if steps >= o.MaxSteps {
			return nil, &SolveError{s.T, ErrTooManySteps}
		}
		h, last, err := clipStep(o, s.T, s.h, tEnd)
		if err != nil {
			return nil, err
		}
		t := s.T
		s.step(t, h)
		yn := s.yn
		s.Stats.RHS += 12
		steps++
		en := s.errNorm853(h)
		if math.IsNaN(en) || !finite(yn) {
			s.Stats.Rejected++
			s.h = h / 10
			if s.h <= 1e-14*math.Max(1, math.Abs(t)) {
				return nil, &SolveError{t, ErrNonFinite}
			}
			continue
		}
		// step-size control of dop853.f: safety 0.9, ratio within [1/3, 6]
		fac := math.Sqrt(math.Sqrt(math.Sqrt(en))) / 0.9 // en^(1/8)
		if en > 1 {
			s.Stats.Rejected++
			s.h = h / math.Min(3, fac)
			rejected = true
			continue
		}
		s.Stats.Steps++
		tNew := t + h
		if last {
			tNew = tEnd
		}
		s.denseOK = false
		var stop *Crossing
		if len(o.Events) > 0 {
			s.dense(t, h)
			stop = locateCrossings(o.Events, s.g0, t, tNew, yn, s.work[:n], s.Dense, onCross)
		}
		tStop := tNew
		if stop != nil {
			tStop = stop.T
		}
		if oi < len(outTimes) && outTimes[oi] <= tStop && (outTimes[oi] < tNew || stop != nil) && !s.denseOK {
			s.dense(t, h) // an output inside the step: build the interpolant
		}
		oi = emitStep(outTimes, oi, tNew, tStop, stop != nil, yn, s.yt, s.Dense, emit)
		if stop != nil {
			s.T = stop.T
			copy(s.Y, stop.Y)
			s.fsal = false
			s.g0 = nil
			return stop, nil
		}
		s.T = tNew
		copy(s.Y, yn)
		s.k[0], s.k[12] = s.k[12], s.k[0] // f(T, Y) is the last stage
		hNew := h / math.Max(1.0/6, fac)
		if rejected {
			hNew = math.Min(hNew, h)
		}
		rejected = false
		if !last || hNew < s.h {
			s.h = hNew
		}
	}
	return nil, nil
}
