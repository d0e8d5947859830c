max: 2.0
grace: 0.5
;
name: a
proc: {setObj hid.dtScale 0.5}
2
[0] I: 1 0 0 T: 1 0 0
[1 max: 1.5 grace: 1 proc: {setObj out.unit(2).target 0.3; setObj in.unit(2).externalInput 0.4}] I: 0 1 0 T: 0 1 -
;
name: b
proc: {setObj hid.dtScale 1}
[max: 3 min: 1] I: 0 0 1 T: 0.2 0.9 0.1
;
name: c
2
[0 proc: {puts "EV c0 [getObj out.unit(0).target] [getObj in.unit(1).externalInput]"}] I: 0 1 1 T: 1 0 1
[1] I: 1 1 0 T: 0 1 0
;
