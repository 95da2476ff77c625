// A water lily pond overworked into mud: brownish water, grey-olive pads and a dull mauve flower smeared together.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#d8d2c4');
  brush.noStroke();
  brush.fillBleed(0.45);
  brush.fillTexture(0.7, 0.6);
  brush.fill('#6b6246', 200);
  brush.rect(-270, -270, 540, 540);
  brush.fill('#4a5a3a', 200);
  for (let i = 0; i < 6; i++) brush.circle(random(-200, 200), random(-150, 200), random(50, 100));
  brush.fill('#7a5a6a', 200);
  brush.circle(0, 0, 90);
  brush.fill('#5a4a3a', 190);
  brush.circle(10, 10, 70);
  brush.fill('#8a6a4a', 180);
  for (let i = 0; i < 5; i++) brush.circle(random(-120, 120), random(-120, 120), random(40, 80));
  brush.fill('#3a3a2a', 160);
  brush.rect(-270, 100, 540, 170);
  brush.noFill();
  brush.set('charcoal', '#2a2a20', 1.5);
  for (let i = 0; i < 6; i++) brush.line(random(-250, 250), random(-250, 250), random(-250, 250), random(-250, 250));
}
