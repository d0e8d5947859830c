# Lens's own Examples/kohonen.in and kohonen.tcl, unchanged: 60 updates (the neighbourhood shrinks
# at update 50), then kohonen.tcl's classifier on every training and testing example
seed 1
source kohonen.in
source kohonen.tcl
setObj reportInterval 10
train 60
puts "E [getObj map:0.incoming(0).weight] [getObj map:37.incoming(20).weight] [getObj map.neighborhood]"
gatherStatistics
testClassifier
exit
