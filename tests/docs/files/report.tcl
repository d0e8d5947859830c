# docs/lens.md ("What train prints"): XOR, 25 updates, one report line
addNet xor 2 2 1
loadExamples xor.ex
setObj reportInterval 25
train 25
