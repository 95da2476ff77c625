"""Small programs many tests render."""

SIMPLE_P5 = "function setup(){createCanvas(64,64);background(240);fill(200,30,30);circle(32,32,30);}"
RANDOM_P5 = ("function setup(){createCanvas(64,64);background(255);noStroke();"
             "for(let i=0;i<40;i++){fill(random(255),random(255),random(255));"
             "circle(random(64),random(64),random(4,14));}}")
