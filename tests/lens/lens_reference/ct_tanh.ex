max: 2.0
;
name: a
2
[0 grace: 0.5] I: 1 0 0 T: 0.8 -0.6
[1 max: 1.5] I: 0 1 0 T: -0.5 -
;
name: b
[max: 3 min: 1] I: 0 0 1 T: 0.2 0.9
;
name: c
2
[0] I: 0 1 1 T: -0.9 0.7
[1] I: 1 1 0 T: 0.4 -0.3
;
