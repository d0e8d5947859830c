# Starting weights for srn_train.tcl (written by Lens: srn_start.wt).
seed 31
addNet srn -i 5 3 4 3
addGroup context 4 ELMAN
elmanConnect hidden context
connectGroups context hidden
resetNet
saveWeights srn_start.wt
exit
