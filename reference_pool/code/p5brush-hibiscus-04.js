// A blue-lilac Rose of Sharon hibiscus with a violet eye on a pale grey-blue wash.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.6);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.55, -len * 0.5);
  brush.vertex(-wid * 0.4, -len * 0.92);
  brush.vertex(wid * 0.05, -len);
  brush.vertex(wid * 0.45, -len * 0.88);
  brush.vertex(wid * 0.55, -len * 0.45);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef1f2');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.3, 0.2);
  brush.fill('#c9d6e3', 120);
  brush.rect(-256, -256, 512, 512);

  brush.fill('#5f7f58', 180);
  brush.polygon([[-20, 50], [-150, 170], [-200, 230], [-90, 160]]);
  brush.fill('#4b6a4a', 180);
  brush.polygon([[30, 30], [190, 60], [240, 120], [130, 100]]);

  brush.set('HB', '#3c4f8f', 0.6);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72 + 30, 170, 140, i % 2 ? '#6f8fd8' : '#5b7fd0', 220);
  brush.noStroke();
  brush.fillBleed(0.2);
  for (let i = 0; i < 5; i++) petal(i * 72 + 36, 125, 90, '#4a6cc4', 140);
  brush.fillBleed(0.1);
  for (let i = 0; i < 5; i++) petal(i * 72 + 30, 55, 45, '#6a2a8a', 220);

  brush.noFill();
  brush.set('2H', '#3a2f7a', 0.7);
  for (let i = 0; i < 5; i++) {
    push();
    rotate(i * 72 + 30 + random(-6, 6));
    brush.spline([[0, -30], [random(-10, 10), -80], [random(-20, 20), -125]], 0.8);
    pop();
  }
  brush.set('pen', '#f4f1e6', 2);
  brush.line(0, 0, 25, -75);
  brush.set('charcoal', '#f2e6a8', 1.6);
  for (let k = 0; k < 5; k++) brush.circle(25 + random(-10, 10), -80 + random(-10, 6), 4);
}
