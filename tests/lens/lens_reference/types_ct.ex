# positive inputs (PRODUCT divides by each a w going back), events of their own lengths
max: 2.0
;
name: a
2
[0 grace: 0.5] I: 0.9 0.2 0.4 T: 0.8 0.1
[1 max: 1.5] I: 0.3 0.8 0.6 T: 0.2 -
;
name: b
[max: 3 min: 1] I: 0.5 0.5 0.95 T: 0.3 0.9
;
name: c
2
[0] I: 0.7 0.35 0.25 T: 1 0
[1] I: 0.15 0.6 0.85 T: 0 1
;
