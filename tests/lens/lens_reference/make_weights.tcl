# Run in Lens once: the starting weights every reference script loads.
source nets.tcl
seed 11
buildXorSSE;  saveWeights xor_sse.init.wt
buildEnc4;    saveWeights enc4.init.wt
buildXorTanh; saveWeights xor_tanh.init.wt
buildEnc8;    saveWeights enc8.init.wt
buildCls;     saveWeights cls.init.wt
buildReg;     saveWeights reg.init.wt
seed 21
buildCt;      saveWeights ct.init.wt
exit
