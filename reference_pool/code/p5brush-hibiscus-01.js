// A crimson hibiscus seen from the front, ruffled petals with pencil edges, wine throat and a long golden stamen, leaves to the lower left.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.55);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.55, -len * 0.5);
  brush.vertex(-wid * 0.5, -len * 0.88);
  brush.vertex(-wid * 0.2, -len);
  brush.vertex(wid * 0.05, -len * 0.93);
  brush.vertex(wid * 0.3, -len * 0.98);
  brush.vertex(wid * 0.55, -len * 0.8);
  brush.vertex(wid * 0.5, -len * 0.4);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6efe2');
  translate(20, -10);

  // leaves with a pencil midrib
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.35);
  brush.fill('#4f7f3f', 200);
  brush.polygon([[-40, 70], [-150, 150], [-235, 190], [-150, 110]]);
  brush.fill('#6e9a52', 190);
  brush.polygon([[-60, 40], [-200, 30], [-250, 60], [-170, 80]]);
  brush.noFill();
  brush.set('2H', '#2f4f2a', 0.8);
  brush.spline([[-120, 125], [-170, 150], [-225, 185]], 0.5);
  brush.spline([[-150, 50], [-195, 52], [-240, 60]], 0.5);

  // petals: pencil outline + wash, then a second wash and a darker heart
  brush.set('HB', '#8c1a2c', 0.7);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.55);
  for (let i = 0; i < 5; i++) petal(i * 72 + 15, 175, 145, '#d7263d', 230);
  brush.noStroke();
  brush.fillBleed(0.2);
  for (let i = 0; i < 5; i++) petal(i * 72 + 24, 140, 100, '#c0192f', 150);
  brush.fillBleed(0.12);
  for (let i = 0; i < 5; i++) petal(i * 72 + 15, 70, 55, '#6e0b22', 230);

  // curved veins
  brush.noFill();
  brush.set('2H', '#6e0b22', 0.7);
  for (let i = 0; i < 5; i++) {
    push();
    rotate(i * 72 + 15 + random(-8, 8));
    brush.spline([[0, -30], [random(-12, 12), -80], [random(-25, 25), -130]], 0.8);
    pop();
  }

  // stamen column and anthers
  brush.set('pen', '#e0a93a', 2.2);
  brush.spline([[0, -5], [28, -70], [58, -150]], 0.6);
  brush.set('pen', '#fff0c8', 0.8);
  brush.spline([[2, -8], [30, -72], [58, -148]], 0.6);
  brush.set('charcoal', '#e8a917', 1.6);
  for (let k = 0; k < 6; k++) brush.circle(58 + random(-18, 18), -150 + random(-18, 12), 4);
  brush.set('charcoal', '#b3122e', 1.8);
  brush.circle(62, -168, 6);
}
