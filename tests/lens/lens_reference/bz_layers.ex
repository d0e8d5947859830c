max: 3.0
grace: 1.0
;
name: a
I: 1 0 1 0 T: 1 0
;
name: b
[max: 2.5 grace: 0.75 min: 0.5] I: 0 1 1 0 T: 0 1
;
name: c
2
[0] I: 1 1 0 0 T: 1 1
[1 max: 2 grace: 0.5] I: 0 0 1 1 T: 0 -
;
name: d
I: 0 1 0 1 T: 0.2 0.9
;
