// codepaint doctor's reference sketch: reference_pool p5brush-hibiscus-02 (rated love), rendered at 512 px.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.6);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.5, -len * 0.45);
  brush.vertex(-wid * 0.45, -len * 0.9);
  brush.vertex(-wid * 0.1, -len);
  brush.vertex(wid * 0.25, -len * 0.96);
  brush.vertex(wid * 0.5, -len * 0.75);
  brush.vertex(wid * 0.45, -len * 0.35);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f0e4');

  // branch
  brush.set('charcoal', '#5b4a36', 1.3);
  brush.spline([[-240, 230], [-140, 160], [-45, 85]], 0.6);
  brush.spline([[-120, 150], [-170, 40], [-165, -60]], 0.6);

  // leaves
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.35);
  brush.fill('#6f8f4e', 190);
  brush.polygon([[-120, 150], [-40, 180], [20, 230], [-70, 215]]);
  brush.fill('#58783f', 190);
  brush.polygon([[-165, 60], [-235, 20], [-250, -30], [-190, 0]]);
  brush.fill('#7d9c5a', 170);
  brush.polygon([[-60, 90], [-10, 120], [40, 110], [-20, 80]]);

  // bud
  brush.fill('#ee8f6a', 210);
  brush.beginShape(0.7);
  brush.vertex(-165, -50);
  brush.vertex(-185, -100);
  brush.vertex(-165, -150);
  brush.vertex(-145, -100);
  brush.endShape(true);
  brush.fill('#6f8f4e', 200);
  brush.polygon([[-180, -55], [-165, -85], [-150, -55], [-165, -45]]);

  // open flower, squashed for a tilted view
  push();
  translate(40, -30);
  scale(1, 0.8);
  brush.set('HB', '#b4553a', 0.6);
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72 - 10, 185, 150, i % 2 ? '#f2a07b' : '#f08a5d', 220);
  brush.noStroke();
  brush.fillBleed(0.2);
  for (let i = 0; i < 5; i++) petal(i * 72 - 2, 130, 95, '#ee7a52', 140);
  brush.fillBleed(0.12);
  for (let i = 0; i < 5; i++) petal(i * 72 - 10, 60, 48, '#c2364a', 220);
  pop();

  // stamen
  brush.noFill();
  brush.set('pen', '#d98a2b', 2.2);
  brush.spline([[40, -30], [70, -90], [110, -150]], 0.6);
  brush.set('charcoal', '#e3b341', 1.7);
  for (let k = 0; k < 6; k++) brush.circle(110 + random(-16, 16), -152 + random(-14, 10), 4);
  brush.set('charcoal', '#c2364a', 1.8);
  brush.circle(116, -168, 6);
}
